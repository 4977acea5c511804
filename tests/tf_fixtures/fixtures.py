"""Access to the committed tf.keras fixtures (`tests/tf_fixtures/data`) and their references."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
SAVEDMODELS = ("mlp", "lstm", "conv_residual", "tf_ops", "bidirectional")


def reference(name: str) -> dict:
    """The fixture's reference.json."""
    return json.loads((DATA / name / "reference.json").read_text())


def artifact(name: str) -> Path:
    """The saved file or folder of a fixture."""
    return DATA / name / reference(name)["file"]


def expected_weights(name: str) -> dict[str, list[np.ndarray]]:
    """{layer path: arrays} as tf.keras listed them when it saved the fixture."""
    arrays = np.load(DATA / name / "reference.npz")
    return {path: [arrays[f"w{i}"] for i in indices] for path, indices in reference(name)["layers"].items()}


def assert_same_weights(got: dict, expected: dict) -> None:
    """Same layer paths, and per layer the same arrays (shape, dtype, values) in the same order."""
    assert sorted(got) == sorted(expected)
    for path, arrays in expected.items():
        assert [a.shape for a in got[path]] == [a.shape for a in arrays], path
        for mine, theirs in zip(got[path], arrays, strict=True):
            assert mine.dtype == theirs.dtype, path
            np.testing.assert_array_equal(mine, theirs)


def copy_fixture(name: str, target: Path) -> Path:
    """A writable copy of a fixture's artifact (to corrupt it)."""
    source = artifact(name)
    copy = target / source.name
    if source.is_dir():
        shutil.copytree(source, copy)
    else:
        shutil.copy(source, copy)
    return copy


def clone_each(names, folder: Path) -> dict:
    """{fixture: (CloneResult, the clone loaded by Keras 3)}, each cloned once into `folder` with
    --keep-weights."""
    import keras

    from modelcfg_cli.keras_side.clone import clone

    made = {}
    for name in names:
        result = clone(str(artifact(name)), str(folder / f"{name}.keras"), keep_weights=True)
        made[name] = (result, keras.saving.load_model(result.out, compile=False))
    return made


def outputs(model, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(the model's outputs on the fixture's inputs `x0`, tf.keras's outputs `y0`)."""
    arrays = np.load(DATA / name / "reference.npz")
    got = model.predict(arrays["x0"], verbose=0)
    return np.asarray(got[0] if isinstance(got, list) else got), arrays["y0"]
