"""`clone`'s result line counts what the model holds: a registered backbone whose config lists no layers
(as keras_hub's do) is `1 model (package>Class)`, never `0 layers`."""

from __future__ import annotations

import importlib
import json

import pytest

from tests.helpers import invoke

BACKBONE = '''
import keras


@keras.saving.register_keras_serializable(package="fakehub")
class TinyBackbone(keras.Model):
    """A functional subclass configured by its hyperparameters, like keras_hub's backbones."""

    def __init__(self, units=3, **kwargs):
        inputs = keras.Input((4,), name="tokens")
        outputs = keras.layers.Dense(units, name="proj")(inputs)
        super().__init__(inputs, outputs, **kwargs)
        self.units = units

    def get_config(self):
        return {"units": self.units, "name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
'''


@pytest.fixture(scope="module")
def backbone(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fakehub")
    (folder / "fakehub_backbone.py").write_text(BACKBONE)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(folder))
        module = importlib.import_module("fakehub_backbone")
        path = folder / "backbone.keras"
        module.TinyBackbone(units=3, name="tiny").save(path)
        yield path


def test_a_backbone_is_one_model_not_zero_layers(backbone, tmp_path):
    result = invoke("clone", backbone, "-o", tmp_path / "copy.keras", "--import", "fakehub_backbone")
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("wrote "))
    assert "1 model (fakehub>TinyBackbone), 15 parameters" in line
    assert "0 layers" not in result.stdout


def test_the_json_report_keeps_the_layer_count(backbone, tmp_path):
    args = ("clone", backbone, "-o", tmp_path / "copy.keras", "--import", "fakehub_backbone")
    result = invoke(*args, "--format", "json")
    data = json.loads(result.stdout)["result"]
    assert data["layers"] == 0 and data["params"] == 15


def test_an_ordinary_model_still_counts_layers(tmp_path):
    result = invoke("clone", "examples/classifier.keras", "-o", tmp_path / "c.keras")
    assert "wrote " in result.stdout and ": 8 layers, " in result.stdout
