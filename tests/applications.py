"""The `keras.applications` architectures as configs, for the no-false-errors tests."""

from __future__ import annotations

import inspect
import json
import warnings

MIN_SIDE = {"InceptionV3": 75, "InceptionResNetV2": 75, "Xception": 71}


def application_names() -> list[str]:
    import keras

    return sorted(
        name
        for name in dir(keras.applications)
        if name[0].isupper() and inspect.isfunction(getattr(keras.applications, name))
    )


def application_configs(cache) -> dict[str, dict]:
    """name -> `to_json()` of every `keras.applications` model (weights=None, small inputs, 10 classes),
    kept in the pytest `cache` (None: built every time) by Keras version."""
    import keras

    configs = {}
    for name in application_names():
        key = f"modelcfg/applications/{keras.version()}/{name}"
        config = cache.get(key, None) if cache else None
        if config is None:
            side = MIN_SIDE.get(name, 32)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = getattr(keras.applications, name)(
                    weights=None, input_shape=(side, side, 3), classes=10
                )
            config = json.loads(model.to_json())
            if cache:
                cache.set(key, config)
        configs[name] = config
    return configs
