"""`diff --weights` of a Keras 1 `.h5` (recurrent weights stored one array per gate) against its Keras 3
clone: the gates are joined the way Keras 3 stores them, so a faithful clone shows no tensor change and
an edited one shows exactly the edited tensor."""

from __future__ import annotations

import json
import zipfile

import h5py
import numpy as np
import pytest

from tests import legacy_fixtures as fx
from tests.helpers import invoke
from tests.legacy import write_h5


@pytest.fixture(scope="module")
def keras1_and_clone(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras1_gates")
    rng = np.random.default_rng(8)
    forward = fx.keras1_lstm_gates(rng, "forward_lstm_1", 3, 4)
    backward = fx.keras1_lstm_gates(rng, "backward_lstm_1", 3, 4)
    kernel = rng.normal(size=(8, 2)).astype("float32")
    dense = [("dense_1_W:0", kernel), ("dense_1_b:0", np.ones(2, "float32"))]
    source = folder / "bilstm.h5"
    write_h5(source, fx.keras1_bilstm(), {"bidirectional_1": forward + backward, "dense_1": dense})
    clone = folder / "bilstm.keras"
    done = invoke("clone", source, "-o", clone, "--keep-weights")
    assert done.exit_code == 0, done.stderr
    return source, clone


def weight_changes(path_a, path_b) -> list[dict]:
    result = invoke("diff", path_a, path_b, "--weights", "--format", "json")
    return [change for change in json.loads(result.stdout)["changes"] if change["kind"] == "weights"]


def test_a_faithful_clone_of_per_gate_weights_shows_no_tensor_change(keras1_and_clone):
    source, clone = keras1_and_clone
    assert weight_changes(source, clone) == []


def test_an_edited_joined_tensor_is_the_one_change(keras1_and_clone, tmp_path):
    source, clone = keras1_and_clone
    with zipfile.ZipFile(clone) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    weights = tmp_path / "model.weights.h5"
    weights.write_bytes(members["model.weights.h5"])
    with h5py.File(weights, "a") as handle:
        names = []
        handle.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
        backward_bias = next(n for n in names if "backward" in n and n.endswith("vars/2"))
        handle[backward_bias][5] += 1.0
    members["model.weights.h5"] = weights.read_bytes()
    edited = tmp_path / "edited.keras"
    with zipfile.ZipFile(edited, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    changes = weight_changes(source, edited)
    assert [(c["layer"], c["path"], c["change"], c["values_changed"]) for c in changes] == [
        ("bidirectional_1", "5", "values", 1)
    ]
    assert changes[0]["max_abs"] == pytest.approx(1.0)
