"""A compile config whose loss, metrics or optimizer Keras cannot restore is left out of the clone.

A model compiled with a user's own loss (`Custom>stock_return_loss`) loads in Keras with `compile=False`;
the clone does the same, with one warning that names what Keras does not know (pass `--import MODULE`
that registers it to keep the compile config).
"""

from __future__ import annotations

import copy

from modelcfg_cli.legacy.dropped import WARNING_PREFIX

METRIC_ALIASES = frozenset({"accuracy", "acc", "crossentropy", "ce"})
PARTS = ("optimizer", "loss", "metrics", "weighted_metrics")


def restorable_compile_config(keras, envelope: dict) -> tuple[dict, list[str]]:
    """(`envelope`, []) when Keras can restore its compile config; else a copy without it, and a warning."""
    config = envelope.get("compile_config")
    if not isinstance(config, dict):
        return envelope, []
    unknown = next(
        (f"{part} {name!r}" for part in PARTS for name in _unknown(keras, part, config.get(part))), None
    )
    if unknown is None:
        return envelope, []
    envelope = {**envelope, "compile_config": None}
    return envelope, [
        f"{WARNING_PREFIX}compile config left out: {unknown} is not known to Keras (as with "
        "load_model(compile=False)); pass --import MODULE that registers it to keep it"
    ]


def _unknown(keras, part: str, value: object):
    """The names of the objects in one part of the compile config that Keras cannot restore."""
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            yield from _unknown(keras, part, item)
        return
    if isinstance(value, dict) and "class_name" not in value:
        for item in value.values():  # per-output losses or metrics
            yield from _unknown(keras, part, item)
        return
    if not _restores(keras, part, value):
        yield _name(value)


def _restores(keras, part: str, value: object) -> bool:
    try:
        if isinstance(value, str):
            if part in ("metrics", "weighted_metrics"):
                return value in METRIC_ALIASES or keras.metrics.get(value) is not None
            getter = keras.optimizers.get if part == "optimizer" else keras.losses.get
            return getter(value) is not None
        keras.saving.deserialize_keras_object(copy.deepcopy(value))
    except Exception:
        return False
    return True


def _name(value: object) -> str:
    """The name a user knows: a function's name, else the registered or class name."""
    if not isinstance(value, dict):
        return str(value)
    if value.get("class_name") == "function" and isinstance(value.get("config"), str):
        registered = value.get("registered_name")
        return registered if registered not in (None, "function") else value["config"]
    return str(value.get("registered_name") or value.get("class_name"))
