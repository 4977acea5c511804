"""Small real models for `compare` and `clone --check`, with seeded non-trivial weights, saved once."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np

CHANGE = 0.25  # added to one kernel element of `two_heads`' "score" layer in the edited copy
CHANGED_ELEMENT = (1, 0)  # kernel[feature 1, unit 0]


def _seeded(model, seed: int):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in model.weights])
    return model


def two_heads():
    """Two inputs (int tokens through an Embedding, float features), two outputs: softmax "label" and a
    linear "score" that reads the features only."""
    import keras

    tokens = keras.Input((6,), dtype="int32", name="tokens")
    features = keras.Input((5,), name="features")
    embedded = keras.layers.Flatten(name="flat")(keras.layers.Embedding(7, 4, name="embed")(tokens))
    hidden = keras.layers.Dense(3, activation="relu", name="hidden")(features)
    joined = keras.layers.Concatenate(name="join")([embedded, hidden])
    label = keras.layers.Dense(4, activation="softmax", name="label")(keras.layers.Dropout(0.1)(joined))
    score = keras.layers.Dense(2, name="score")(features)
    return _seeded(keras.Model([tokens, features], [label, score], name="two_heads"), 1)


def lookups():
    """Integer inputs reaching Embeddings directly and inside a nested model, and a padding mask."""
    import keras

    inner_in = keras.Input((6,), dtype="int32", name="inner_tokens")
    inner = keras.Model(inner_in, keras.layers.Embedding(5, 2, name="small")(inner_in), name="inner")
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    ids = keras.Input((None,), dtype="int32", name="ids")
    mask = keras.Input((6,), dtype="int32", name="padding_mask")
    big = keras.layers.Embedding(9, 2, name="big")(tokens)
    both = keras.layers.Add(name="add")([inner(tokens), big])
    pooled = keras.layers.GlobalAveragePooling1D(name="pool")(
        keras.layers.Embedding(40, 2, name="ids_embed")(ids)
    )
    masked = keras.layers.Multiply(name="apply_mask")(
        [
            keras.layers.Flatten()(both),
            keras.layers.Flatten()(keras.ops.cast(keras.ops.stack([mask, mask], -1), "float32")),
        ]
    )
    out = keras.layers.Dense(3, name="out")(keras.layers.Concatenate()([masked, pooled]))
    return _seeded(keras.Model([tokens, ids, mask], out, name="lookups"), 2)


def plain():
    """A one-input, one-output Sequential classifier (relu then softmax)."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((8,), name="x"),
            keras.layers.Dense(6, activation="relu", name="dense_1"),
            keras.layers.Dropout(0.2, name="drop"),
            keras.layers.Dense(3, activation="softmax", name="probs"),
        ],
        name="plain",
    )
    return _seeded(model, 3)


def change_one_kernel_element(source: Path, target: Path) -> None:
    """A copy of the `.keras` zip `source` with `score`'s kernel[CHANGED_ELEMENT] raised by CHANGE."""
    import h5py

    work = target.parent / f"{target.stem}_unzipped"
    with zipfile.ZipFile(source) as archive:
        archive.extractall(work)
    with h5py.File(work / "model.weights.h5", "r+") as handle:
        # the weights file names layers by class (`layers/dense_2`), not by name: `score`'s kernel is the
        # only (5, 2) array
        kernel = handle[_path_of_shape(handle, (5, 2))]
        values = kernel[()]
        values[CHANGED_ELEMENT] += CHANGE
        kernel[...] = values
    with zipfile.ZipFile(target, "w") as archive:
        for name in ("metadata.json", "config.json", "model.weights.h5"):
            archive.write(work / name, name)
    shutil.rmtree(work)


def _path_of_shape(handle, shape: tuple) -> str:
    found = []
    handle.visititems(
        lambda name, item: found.append(name) if getattr(item, "shape", None) == shape else None
    )
    assert len(found) == 1, found
    return found[0]


def write_compare_models(folder: Path) -> dict[str, str]:
    """name -> path of every model file the compare tests use."""
    paths = {}
    for name, build in (("two_heads", two_heads), ("lookups", lookups), ("plain", plain)):
        paths[name] = folder / f"{name}.keras"
        build().save(paths[name])
    paths["two_heads_changed"] = folder / "two_heads_changed.keras"
    change_one_kernel_element(paths["two_heads"], paths["two_heads_changed"])
    return {key: str(value) for key, value in paths.items()}
