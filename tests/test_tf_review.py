"""Code review of tf.keras-era files: `textconv` lists a SavedModel's or a tf.keras zip's tensors, and
`diff --weights` reads them (placed through the config), without TensorFlow."""

from __future__ import annotations

import json

import pytest

from tests.helpers import invoke
from tests.tf_fixtures.fixtures import artifact, reference


@pytest.mark.parametrize("name", ["lstm_savedmodel", "mlp_zip"])
def test_textconv_lists_every_stored_tensor(name):
    result = invoke("textconv", artifact(name))
    assert result.exit_code == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if line.startswith("weights:"))
    assert header.startswith(f"weights: {len(reference(name)['weights'])} tensors, ")


def test_diff_weights_of_a_savedmodel_and_its_keras3_clone_is_equal(tmp_path):
    source = artifact("lstm_savedmodel")
    clone = tmp_path / "clone.keras"
    assert invoke("clone", source, "-o", clone, "--keep-weights").exit_code == 0
    result = invoke("diff", source, clone, "--weights", "--format", "json")
    data = json.loads(result.stdout)
    assert data["summary"]["weights"] == 0
    assert not [change for change in data["changes"] if change["kind"] == "weights"]
