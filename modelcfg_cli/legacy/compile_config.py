"""A tf.keras `compile_config` made one that Keras 3's `compile` takes (no Keras needed).

tf.keras 2.11-2.15 optimizers serialized `jit_compile` and `is_legacy_optimizer`, which Keras 3 optimizers
reject, and named modules Keras 3 does not have (`keras.optimizers.experimental`, `keras.optimizers.legacy`:
all become `keras.optimizers`); its legacy optimizers (`is_legacy_optimizer: true`) also wrote `lr` and
`decay`. `compile` itself recorded `steps_per_execution`, `jit_compile` and `run_eagerly` as null when not
given, which Keras 3 does not accept for all of them: a null there means "the default", so it is dropped.
"""

from __future__ import annotations

from modelcfg_cli.legacy.dropped import WARNING_PREFIX

OPTIMIZER_ONLY_TF = ("jit_compile", "is_legacy_optimizer")
COMPILE_DEFAULTS = ("steps_per_execution", "jit_compile", "run_eagerly")
TF_OPTIMIZER_MODULES = ("keras.optimizers.", "keras.src.optimizers.")  # .legacy, .experimental, .adam


def upgrade_compile_config(envelope: dict, notes: list[str]) -> None:
    """Rewrite the envelope's `compile_config` in place (nothing happens when it has none)."""
    config = envelope.get("compile_config")
    if not isinstance(config, dict):
        return
    for key in COMPILE_DEFAULTS:
        if key in config and config[key] is None:
            del config[key]
    optimizer = config.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("config"), dict):
        _upgrade_optimizer(optimizer, notes)


def _upgrade_optimizer(entry: dict, notes: list[str]) -> None:
    config = entry["config"]
    for key in OPTIMIZER_ONLY_TF:
        config.pop(key, None)
    if str(entry.get("module", "")).startswith(TF_OPTIMIZER_MODULES):
        entry["module"] = "keras.optimizers"
    if "lr" in config:
        config.setdefault("learning_rate", config.pop("lr"))
        config.pop("lr", None)
    decay = config.pop("decay", 0.0)
    if decay not in (0, 0.0, None):
        name = entry.get("class_name")
        notes.append(
            f"{WARNING_PREFIX}compile_config/optimizer: dropped decay={decay!r} ({name} in Keras 3 has no "
            "such argument; use a learning-rate schedule)"
        )
