"""Weights of tf.keras files without TensorFlow: SavedModel checkpoints and tf.keras 2.x `.keras` zips."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelcfg_cli.errors import SourceError
from modelcfg_cli.weights.stored import read_weights
from modelcfg_cli.weights.tf.bundle import OBJECT_GRAPH_KEY, Bundle, object_graph, open_bundle, read_tensor
from modelcfg_cli.weights.tf.crc32c import LANES, MIN_LANE, crc32c, masked
from modelcfg_cli.weights.tf.savedmodel import read_savedmodel_weights
from modelcfg_cli.weights.tf.tfkeras_zip import read_tfkeras_weights, to_snake_case
from tests.tf_fixtures.fixtures import (
    DATA,
    SAVEDMODELS,
    artifact,
    assert_same_weights,
    copy_fixture,
    expected_weights,
)

KERNEL = "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"


def _bitwise_crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_crc32c_known_value_and_mask():
    assert crc32c(b"123456789") == 0xE3069283
    assert masked(0) == 0xA282EAD8


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 3 * LANES * MIN_LANE).flatmap(lambda n: st.binary(min_size=n, max_size=n)), st.data())
def test_crc32c_lanes_agree_with_the_bitwise_definition(data, split):
    cut = split.draw(st.integers(0, len(data)))
    if len(data) <= 512:
        assert crc32c(data) == _bitwise_crc32c(data)
    assert crc32c(data[cut:], crc32c(data[:cut])) == crc32c(data)


def test_crc32c_of_a_long_input_matches_the_bitwise_definition():
    data = np.random.default_rng(0).integers(0, 256, LANES * MIN_LANE + 77, dtype=np.uint8).tobytes()
    assert crc32c(data) == _bitwise_crc32c(data)


@pytest.mark.parametrize("name", SAVEDMODELS)
def test_savedmodel_weights_equal_what_tf_keras_listed(name):
    fixture = f"{name}_savedmodel"
    assert_same_weights(read_weights(str(artifact(fixture))), expected_weights(fixture))


def test_every_checkpoint_tensor_passes_its_checksum():
    bundle = open_bundle(artifact("conv_residual_savedmodel") / "variables")
    keys = [key for key in bundle.entries if key != OBJECT_GRAPH_KEY]
    assert any(key.startswith("optimizer/") for key in keys)
    assert all(read_tensor(bundle, key).shape == bundle.entries[key].shape for key in keys)
    assert len(object_graph(bundle)) > 10


def test_corrupted_tensor_data_is_a_checksum_mismatch(tmp_path):
    folder = copy_fixture("mlp_savedmodel", tmp_path)
    entry = open_bundle(folder / "variables").entries[KERNEL]
    shard = folder / "variables" / "variables.data-00000-of-00001"
    data = bytearray(shard.read_bytes())
    data[entry.offset + 5] ^= 0x10
    shard.write_bytes(bytes(data))
    with pytest.raises(SourceError, match=f"checksum mismatch for tensor '{KERNEL}'"):
        read_savedmodel_weights(folder)


@pytest.mark.parametrize("cut", [1, 30, 200])
def test_truncated_index_is_one_line(tmp_path, cut):
    folder = copy_fixture("lstm_savedmodel", tmp_path)
    index = folder / "variables" / "variables.index"
    index.write_bytes(index.read_bytes()[:-cut])
    with pytest.raises(
        SourceError, match="variables.index: (not a TensorFlow checkpoint index|truncated|corrupt)"
    ):
        read_weights(str(folder))


def test_flipped_byte_in_an_index_block_fails_its_checksum(tmp_path):
    folder = copy_fixture("mlp_savedmodel", tmp_path)
    index = folder / "variables" / "variables.index"
    data = bytearray(index.read_bytes())
    data[20] ^= 0x01
    index.write_bytes(bytes(data))
    with pytest.raises(SourceError, match="checksum mismatch in the block at offset 0"):
        read_weights(str(folder))


def test_truncated_data_shard(tmp_path):
    folder = copy_fixture("mlp_savedmodel", tmp_path)
    shard = folder / "variables" / "variables.data-00000-of-00001"
    shard.write_bytes(shard.read_bytes()[:100])
    with pytest.raises(SourceError, match="truncated checkpoint data"):
        read_weights(str(folder))


def _bundle_with(tmp_path, dtype: int, raw: bytes, shape: tuple[int, ...]) -> Bundle:
    bundle = open_bundle(artifact("mlp_savedmodel") / "variables")
    shard = tmp_path / "variables.data-00000-of-00001"
    shard.write_bytes(raw)
    entry = dataclasses.replace(
        bundle.entries[KERNEL], dtype=dtype, shape=shape, offset=0, size=len(raw), crc=masked(crc32c(raw))
    )
    return Bundle(bundle.label, {KERNEL: entry}, (shard,))


def test_bfloat16_is_read_as_float32(tmp_path):
    values = np.array([1.5, -2.0, 0.0078125], np.float32)
    raw = (values.view(np.uint32) >> 16).astype("<u2").tobytes()
    array = read_tensor(_bundle_with(tmp_path, 14, raw, (3,)), KERNEL)
    assert array.dtype == np.float32
    np.testing.assert_array_equal(array, values)


@pytest.mark.parametrize(("dtype", "numpy_type"), [(19, "<f2"), (2, "<f8"), (6, "i1"), (9, "<i8"), (10, "?")])
def test_other_numeric_dtypes(tmp_path, dtype, numpy_type):
    values = np.array([[1, 0], [1, 1]]).astype(numpy_type)
    array = read_tensor(_bundle_with(tmp_path, dtype, values.tobytes(), (2, 2)), KERNEL)
    np.testing.assert_array_equal(array, values)


@pytest.mark.parametrize(("dtype", "kind"), [(7, "string"), (20, "resource"), (99, "dtype #99")])
def test_unsupported_dtypes_are_refused_naming_the_tensor(tmp_path, dtype, kind):
    with pytest.raises(SourceError, match=f"tensor '{KERNEL}' holds {kind} values: not supported"):
        read_tensor(_bundle_with(tmp_path, dtype, b"\0" * 8, (2,)), KERNEL)


def test_config_only_savedmodel_has_no_weights(tmp_path):
    folder = copy_fixture("mlp_savedmodel", tmp_path)
    for path in (folder / "variables").iterdir():
        path.unlink()
    (folder / "variables").rmdir()
    assert read_weights(str(folder)) == {}


@pytest.mark.parametrize("name", ["mlp_zip", "bidirectional_zip"])
def test_tf_keras_zip_weights_go_to_the_right_layers(name):
    assert_same_weights(read_weights(str(artifact(name))), expected_weights(name))


def _rewrite_zip(source, target, *, rename, config=None):
    """A copy of a .keras zip whose weights file has every group path passed through `rename`."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO()
    with h5py.File(io.BytesIO(members["model.weights.h5"]), "r") as old, h5py.File(buffer, "w") as new:
        names: list[str] = []
        old.visit(names.append)
        for name in names:
            if isinstance(old[name], h5py.Dataset):
                new.create_dataset(rename(name), data=old[name][()])
    members["model.weights.h5"] = buffer.getvalue()
    if config is not None:
        members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def _windows(path: str) -> str:
    """`layers/dense/vars/0` -> `_layer_checkpoint_dependencies\\dense/vars/0` (2.13-2.14 on Windows)."""
    head, _, tail = path.partition("/vars/")
    head = head.replace("layers/", "_layer_checkpoint_dependencies/").replace("/", "\\")
    return f"{head}/vars/{tail}" if tail else path


def test_windows_separators_and_checkpoint_dependency_keys(tmp_path):
    target = _rewrite_zip(artifact("bidirectional_zip"), tmp_path / "windows.keras", rename=_windows)
    with (
        zipfile.ZipFile(target) as archive,
        h5py.File(io.BytesIO(archive.read("model.weights.h5"))) as handle,
    ):
        assert "_layer_checkpoint_dependencies\\sequential\\_layer_checkpoint_dependencies\\dense_1" in handle
    assert_same_weights(read_weights(str(target)), expected_weights("bidirectional_zip"))


def test_counter_mapping_is_checked_against_shapes(tmp_path):
    with zipfile.ZipFile(artifact("mlp_zip")) as archive:
        config = json.loads(archive.read("config.json"))
    config["config"]["layers"][1]["config"]["units"] = 5
    target = _rewrite_zip(artifact("mlp_zip"), tmp_path / "bad.keras", rename=str, config=config)
    with pytest.raises(
        SourceError, match=r"layer 'dense' \(Dense\): stored shapes \(6, 8\), \(8\) do not fit"
    ):
        read_weights(str(target))


def test_weights_of_layers_the_config_lacks_are_refused(tmp_path):
    with zipfile.ZipFile(artifact("mlp_zip")) as archive:
        config = json.loads(archive.read("config.json"))
    config["config"]["layers"][2]["class_name"] = "Renamed"
    target = _rewrite_zip(artifact("mlp_zip"), tmp_path / "bad.keras", rename=str, config=config)
    with pytest.raises(SourceError, match="only 2 of the 4 stored layer weights match a layer of the config"):
        read_weights(str(target))


def test_json_beside_tf_keras_weights_file():
    pair = artifact("json_pair")
    envelope = json.loads((pair / "model.json").read_text())
    with h5py.File(pair / "model.weights.h5", "r") as handle:
        found = read_tfkeras_weights(handle, envelope, str(pair))
    assert_same_weights(found, expected_weights("json_pair"))


@pytest.mark.parametrize(
    ("class_name", "snake"),
    [
        ("Dense", "dense"),
        ("Conv1D", "conv1d"),
        ("DepthwiseConv2D", "depthwise_conv2d"),
        ("TFOpLambda", "tf_op_lambda"),
        ("BatchNormalization", "batch_normalization"),
        ("_Private", "private__private"),
    ],
)
def test_snake_case_as_tf_keras_spells_it(class_name, snake):
    assert to_snake_case(class_name) == snake


def test_fixture_data_stays_small():
    """The whole of data/ (fixtures from TensorFlow 2.13, 2.14 and 2.15) under 2.5 MB, each under 250 kB."""
    sizes = {
        folder.name: sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        for folder in DATA.iterdir()
    }
    assert sum(sizes.values()) < 2_500_000
    assert max(sizes.values()) < 250_000
