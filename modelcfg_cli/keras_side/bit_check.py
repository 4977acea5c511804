"""Which stored tensors really are in the clone: the built layers' variables read back, compared bit for
bit with the stored tensors (not the placement bookkeeping).

Each clone layer that received a source layer's part of the weights file is saved again, with Keras's
own `_save_state`, under that part's entry path into a `LayoutStore` (nothing is written), so its
variables land at the same (entry path, key) as the stored tensors they should equal.
"""

from __future__ import annotations

import numpy as np

from modelcfg_cli.keras_side.stores import store_classes

EXACT, CAST, DIFFERENT, NO_SLOT = "exact", "cast", "different", "no slot"


def clone_layout(placed) -> dict[tuple[str, str], object]:
    """{(entry path, key): value} of what the clone layers in `placed` ([(layer, entry path)]) hold."""
    from keras.src.saving.saving_lib import _save_state

    _, layout_store, _ = store_classes()
    found: dict[tuple[str, str], object] = {}
    for layer, entry in placed:
        layout = layout_store()
        _save_state(layer, layout, None, entry, visited_saveables=set())
        for where, values in layout.entries.items():
            for key, value in values.items():
                found.setdefault((where, key), value)
    return found


def stored_array(h5_file, where: str, key: str) -> np.ndarray:
    """A stored tensor as Keras reads it (bfloat16 kept as bfloat16)."""
    dataset = h5_file[f"{where}/vars/{key}" if where else f"vars/{key}"]
    value = np.asarray(dataset[()])
    if dataset.attrs.get("dtype") == "bfloat16":
        import ml_dtypes

        value = value.astype(ml_dtypes.bfloat16)
    return value


def as_array(value) -> np.ndarray:
    from keras import ops

    return np.asarray(ops.convert_to_numpy(value))


def compare(stored: np.ndarray, value) -> str:
    """EXACT (same dtype, shape and bits), CAST (equal once the stored tensor is cast to the clone's
    dtype, as a dtype policy does), DIFFERENT (the slot fits, the values are not these), or NO_SLOT
    (the clone holds nothing of this shape there)."""
    if value is None:
        return NO_SLOT
    got = as_array(value)
    if got.shape != stored.shape:
        return NO_SLOT
    if got.dtype == stored.dtype:
        return EXACT if same_bits(stored, got) else DIFFERENT
    if not (_floating(got.dtype) and _floating(stored.dtype)) and got.dtype.kind != stored.dtype.kind:
        return NO_SLOT
    return CAST if same_bits(stored.astype(got.dtype), got) else DIFFERENT


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """The same dtype, shape and bytes (NaNs compare by their bits)."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


def _floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f" or "bfloat16" in str(dtype) or "float8" in str(dtype)
