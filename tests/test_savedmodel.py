"""SavedModel folders saved by tf.keras 2.15: config, version and nodes from keras_metadata.pb."""

from __future__ import annotations

import pytest

from modelcfg_cli.document import strip_shared_ids
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources import read_source
from modelcfg_cli.sources.savedmodel import read_keras_metadata, untuple
from tests.helpers import assert_one_line_error, invoke, run_without_keras
from tests.tf_fixtures.fixtures import DATA, SAVEDMODELS, artifact, copy_fixture, reference


@pytest.mark.parametrize("name", SAVEDMODELS)
def test_config_is_what_tf_keras_wrote(name):
    fixture = f"{name}_savedmodel"
    raw = read_source(str(artifact(fixture)))
    assert raw.format == "savedmodel"
    assert strip_shared_ids(raw.payload) == strip_shared_ids(reference(fixture)["legacy_config"])
    assert raw.metadata["keras_version"] == reference(fixture)["keras_version"]
    assert raw.metadata["backend"] == "tensorflow"
    assert "loss" in raw.metadata["training_config"]


def test_nodes_list_every_keras_object_root_first():
    meta = read_keras_metadata(artifact("lstm_savedmodel"))
    assert meta.class_name == "Sequential"
    paths = {node.node_path: node for node in meta.nodes}
    assert meta.nodes[0].node_path == "root"
    assert paths["root.layer_with_weights-0.cell"].metadata["class_name"] == "LSTMCell"
    assert paths["root.layer_with_weights-1"].identifier == "_tf_keras_rnn_layer"
    assert all(node.version[0] >= 1 for node in meta.nodes)


def test_tf_op_layers_are_read_as_stored():
    classes = [
        layer["class_name"]
        for layer in read_source(str(artifact("tf_ops_savedmodel"))).payload["config"]["layers"]
    ]
    assert classes.count("TFOpLambda") == 7 and classes.count("SlicingOpLambda") == 1


def test_untuple_turns_tf_keras_tuples_into_lists():
    encoded = {
        "shape": {"class_name": "__tuple__", "items": [None, {"class_name": "__tuple__", "items": [2]}]}
    }
    assert untuple(encoded) == {"shape": [None, [2]]}
    assert untuple({"class_name": "__tuple__", "items": [1], "extra": 1})["class_name"] == "__tuple__"


def test_plain_tensorflow_savedmodel_is_refused_in_one_line():
    result = invoke("dump", artifact("plain_tf_savedmodel"))
    assert_one_line_error(result, "a TensorFlow SavedModel without keras_metadata.pb: nothing Keras to read")


@pytest.mark.parametrize("cut", [1, 7, 100])
def test_truncated_keras_metadata_is_one_line(tmp_path, cut):
    folder = copy_fixture("mlp_savedmodel", tmp_path)
    meta = folder / "keras_metadata.pb"
    meta.write_bytes(meta.read_bytes()[:-cut])
    with pytest.raises(SourceError, match="corrupt"):
        read_source(str(folder))
    assert_one_line_error(invoke("inspect", folder), "keras_metadata.pb", "corrupt")


def test_metadata_that_is_not_json_is_one_line(tmp_path):
    folder = copy_fixture("mlp_savedmodel", tmp_path)
    data = (folder / "keras_metadata.pb").read_bytes()
    (folder / "keras_metadata.pb").write_bytes(data.replace(b'{"name": "mlp"', b'{"name"; "mlp"', 1))
    assert_one_line_error(invoke("dump", folder), "metadata is not JSON")


def test_dump_and_inspect_show_the_savedmodel_without_keras():
    out = run_without_keras("inspect", str(artifact("conv_residual_savedmodel")))
    assert "tf.keras 2.15.0" in out and "format SavedModel" in out


def test_a_folder_with_neither_config_nor_saved_model_is_still_refused(tmp_path):
    with pytest.raises(SourceError, match="no config.json"):
        read_source(str(tmp_path))
    assert (DATA / "plain_tf_savedmodel" / "model" / "saved_model.pb").is_file()
