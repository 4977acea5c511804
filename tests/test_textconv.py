"""`modelcfg textconv`: the same text for the same model in every stored format, a changed field as a
one-line difference, weights listed with a content hash, non-models still turned into text."""

from __future__ import annotations

import difflib
import hashlib
import json
import zipfile

import h5py
import numpy as np
import pytest

from modelcfg_cli.diffing.textconv import textconv_lines
from modelcfg_cli.sources import read_document
from tests.helpers import assert_one_line_error, invoke, run_without_keras
from tests.model_edits import edit_keras_zip, envelope_of, find

MODELS = ["sequential", "branches", "nested", "rnn", "lambda", "mobilenet"]


def text_of(path: str) -> list[str]:
    result = invoke("textconv", path)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def changed_lines(a: list[str], b: list[str]) -> list[str]:
    return [line for line in difflib.unified_diff(a, b, lineterm="", n=0) if line[:1] in "+-"][2:]


@pytest.mark.parametrize("name", MODELS)
def test_same_text_in_every_stored_format_but_the_format_line(saved_models, name):
    paths = saved_models[name]
    texts = {fmt: text_of(paths[fmt]) for fmt in ("keras", "dir", "h5")}
    assert texts["keras"] == text_of(paths["keras"])  # deterministic
    for fmt in ("dir", "h5"):
        assert changed_lines(texts["keras"], texts[fmt]) == [
            "-format: keras-zip",
            f"+format: {'keras-dir' if fmt == 'dir' else 'h5'}",
        ]


def test_every_layer_has_a_block_in_graph_order(saved_models):
    doc = read_document(saved_models["nested"]["keras"])
    lines = textconv_lines(doc)
    blocks = [line.removeprefix("layer ") for line in lines if line.startswith("layer ")]
    assert blocks == [ref.path_str for ref in doc.layers()]
    assert "  inbound = encoder" in lines[lines.index("layer inner_block") :]


def test_weights_manifest_matches_what_keras_stored(saved_models):
    import keras

    model = keras.saving.load_model(saved_models["sequential"]["keras"])
    lines = text_of(saved_models["sequential"]["h5"])
    start = lines.index("weights: 4 tensors, 172 values")
    kernel = model.get_layer("dense_1").get_weights()[0]
    digest = hashlib.sha256(kernel.astype("<f4").tobytes()).hexdigest()[:12]
    assert lines[start + 1] == f"  dense_1 [0] 16x8 float32 {digest}"
    assert [line.split()[0] for line in lines[start + 1 :]] == ["dense_1", "dense_1", "dense_2", "dense_2"]


def test_a_changed_field_is_a_one_line_difference(saved_models, tmp_path):
    envelope = envelope_of(saved_models, "sequential")
    find(envelope, "dense_1")["config"]["units"] = 9
    find(envelope, "dense_1")["config"]["kernel_initializer"]["config"]["seed"] = 5
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(envelope))
    a = text_of(saved_models["sequential"]["json"])
    b = text_of(str(edited))
    assert changed_lines(a, b) == [
        "-  kernel_initializer.config.seed = null",
        "+  kernel_initializer.config.seed = 5",
        "-  units = 8",
        "+  units = 9",
    ]
    assert a[-1] == "weights: none stored"


def test_a_changed_tensor_changes_one_hash_line(saved_models, tmp_path):
    target = tmp_path / "b.keras"
    edit_keras_zip(saved_models["rnn"]["keras"], target, "layers/lstm/cell/vars/1", lambda a: a.__imul__(2))
    changed = changed_lines(text_of(saved_models["rnn"]["keras"]), text_of(str(target)))
    assert len(changed) == 2 and all(line[1:].startswith("  lstm_2 [1] 5x20 float32 ") for line in changed)


def test_an_hdf5_file_that_is_not_a_model_is_listed_dataset_by_dataset(tmp_path):
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as handle:
        handle["images/train"] = np.arange(12, dtype="<f4").reshape(3, 4)
        handle["labels"] = np.arange(3, dtype=">i8")
    digest = hashlib.sha256(np.arange(3, dtype="<i8").tobytes()).hexdigest()[:12]
    assert text_of(str(path)) == [
        "hdf5: not a Keras model (HDF5 file has no model_config attribute: not a Keras model)",
        "  images/train 3x4 float32 " + hashlib.sha256(np.arange(12, dtype="<f4").tobytes()).hexdigest()[:12],
        f"  labels 3 int64 {digest}",
    ]


def test_a_file_that_is_neither_is_one_line_exit_2(tmp_path):
    path = tmp_path / "broken.keras"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert_one_line_error(invoke("textconv", str(path)), "broken.keras: not a readable zip archive")


def test_textconv_does_not_import_keras(saved_models):
    run_without_keras("textconv", saved_models["rnn"]["h5"])


def test_weights_without_layer_names_are_listed_by_stored_path(saved_models, tmp_path):
    """tf.keras 2.13-2.15 zips key weights by class and counter: listed as stored, never an error."""
    with zipfile.ZipFile(saved_models["sequential"]["keras"]) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    weights = tmp_path / "w.h5"
    with h5py.File(weights, "w") as handle:
        handle["_layer_checkpoint_dependencies/dense/vars/0"] = np.ones((2, 3), "float32")
    members["model.weights.h5"] = weights.read_bytes()
    target = tmp_path / "tfkeras.keras"
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    lines = text_of(str(target))
    start = next(i for i, line in enumerate(lines) if line.startswith("weights: "))
    assert lines[start].startswith("weights: 1 tensors, by stored path (weights saved by tf.keras 2.13-2.15")
    digest = hashlib.sha256(np.ones((2, 3), "<f4").tobytes()).hexdigest()[:12]
    assert lines[start + 1 :] == [f"  _layer_checkpoint_dependencies/dense/vars/0 2x3 float32 {digest}"]
