"""A Keras 3 `.keras` file or model folder loaded for `compare` without the extra copies `load_model`
makes of a large model: the model is built with deferred variables (no initial values to compute and
throw away), and its weights are read by Keras's own `_load_state` from the weights file in place (a
large zip member from a temporary file, not from memory). Anything this cannot load exactly as Keras
would (assets, a layer Keras refuses) is left to `load_model`: None is returned."""

from __future__ import annotations

import warnings


def lean_load(keras, doc, safe_mode: bool, label: str):
    """The model of `doc` with its stored weights, or None when `load_model` must do it."""
    from keras.src.saving.saving_lib import _load_state

    from modelcfg_cli.keras_side.stores import open_source_store
    from modelcfg_cli.keras_side.streaming import StreamState, deferred_instantiate, initialise_the_rest

    envelope = {k: v for k, v in doc.envelope.items() if k != "compile_config"}  # compile=False
    model = deferred_instantiate(keras, envelope, safe_mode, label)
    if any(hasattr(layer, "save_assets") for layer in model._flatten_layers()):
        return None
    store = open_source_store(doc.path)
    if store is None:
        return None
    failed: set[int] = set()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _load_state(
                model, store, None, "", visited_saveables=set(), failed_saveables=failed, error_msgs={}
            )
    finally:
        store.close()
    if failed:
        return None
    initialise_the_rest(model, StreamState())
    return model
