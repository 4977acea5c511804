"""Rebuild the Keras fixtures of the peer scanners' own test suites (run ONLY in the TensorFlow venv).

    python3.11 -m venv /work/venvs/tf215-scan && /work/venvs/tf215-scan/bin/pip install tensorflow-cpu==2.15.1
    /work/venvs/tf215-scan/bin/python tests/peer_fixtures/generate.py

modelscan 0.8.8 (`tests/test_modelscan.py`, fixture `keras_file_path`): a tf.keras 2 model (Input 32,
Dense 1, compiled with adam/mse, fitted once on seeded random data) saved as `safe.h5`, `safe.keras` and
the SavedModel `saved_model_safe/`; then two `Lambda(attack)` layers appended, where `attack` runs
`exec()` of an `http.client` import, saved as `unsafe.h5`, `unsafe.keras` and `saved_model_unsafe/`.
Its test expects no issue in the safe ones and exactly two Lambda issues in each unsafe one.

modelaudit 0.2.54 (`tests/assets/generators/generate_security_assets.py` writes `safe_model.h5` and
`malicious_lambda.h5` as bare HDF5 files holding only `model_config`; the test-model generator saves
`custom_layer_attack.h5` (a custom layer whose `__init__` calls `os.system`), `loss_injection.h5` (a
custom loss function) and `metric_injection.h5` (a custom `Metric` class) with tf.keras). Its tests expect
`safe_model.h5` clean, a Lambda finding in `malicious_lambda.h5`, and the "Custom Layer", "Custom Loss"
and "Custom Metric" checks failing on the other three.

`expected.json` records each file, its origin and the verdict the peer's test expects. The test suite
never imports TensorFlow; it only reads these files.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

keras = tf.keras
DATA = Path(__file__).resolve().parent / "data"


def modelscan_fixtures(folder: Path) -> dict:
    """modelscan's `keras_file_path` fixture, seeded."""
    np.random.seed(0)
    tf.random.set_seed(0)
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mean_squared_error")
    model.fit(np.random.random((128, 32)), np.random.random((128, 1)), verbose=0)
    model.save(folder / "safe.h5")
    model.save(folder / "safe.keras")
    model.save(folder / "saved_model_safe")

    # modelscan's payload, its HTTPSConnection replaced by None (Keras calls the lambda while building)
    attack = lambda x: exec("import http.client\nimport json\nimport os\nconn = None") or x  # noqa: E731

    dense = keras.layers.Dense(1)(model.layers[-1].output)
    first = keras.layers.Lambda(attack)(dense)
    second = keras.layers.Lambda(attack)(first)
    unsafe = keras.Model(inputs=model.inputs, outputs=[second])
    unsafe.compile(optimizer="adam", loss="mean_squared_error")
    unsafe.save(folder / "unsafe.h5")
    unsafe.save(folder / "unsafe.keras")
    unsafe.save(folder / "saved_model_unsafe")
    verdicts = {"safe.h5": 0, "safe.keras": 0, "saved_model_safe": 0}
    verdicts |= {"unsafe.h5": 2, "unsafe.keras": 2, "saved_model_unsafe": 2}
    return {name: {"peer": "modelscan", "lambda_issues": count} for name, count in verdicts.items()}


def modelaudit_bare_h5(folder: Path) -> dict:
    """`generate_security_assets.make_security_keras_models`: HDF5 files with a model_config only."""
    safe = {
        "class_name": "Sequential",
        "config": {"name": "safe_model", "layers": [{"class_name": "Dense", "config": {"units": 10}}]},
    }
    malicious = {
        "class_name": "Sequential",
        "config": {
            "name": "malicious_model",
            "layers": [
                {"class_name": "Lambda", "config": {"function": "lambda x: eval('print(\"security test\")')"}}
            ],
        },
    }
    for name, config in (("safe_model.h5", safe), ("malicious_lambda.h5", malicious)):
        with h5py.File(folder / name, "w") as handle:
            handle.attrs["model_config"] = json.dumps(config)
    return {
        "safe_model.h5": {"peer": "modelaudit", "check": None},
        "malicious_lambda.h5": {"peer": "modelaudit", "check": "Lambda"},
    }


class MaliciousLayer(keras.layers.Layer):
    """modelaudit's custom layer attack (its `os.system` call in `__init__` is left out here: the saved
    file holds only the class name)."""

    def call(self, inputs):
        return inputs


class MaliciousMetric(keras.metrics.Metric):
    """modelaudit's metric injection: code in `update_state`."""

    def __init__(self, name="malicious_metric", **kwargs):
        super().__init__(name=name, **kwargs)
        self.value = self.add_weight(name="value", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.value.assign(1.0)

    def result(self):
        return self.value


def malicious_loss(y_true, y_pred):
    """modelaudit's loss injection (its `os.system` call is left out: the file holds only the name)."""
    return keras.losses.mse(y_true, y_pred)


def modelaudit_keras_h5(folder: Path) -> dict:
    """The three tf.keras-saved attack models of modelaudit's test-model generator."""
    layer = keras.Sequential([keras.layers.Input(shape=(10,)), MaliciousLayer(), keras.layers.Dense(5)])
    layer.save(folder / "custom_layer_attack.h5")
    loss = keras.Sequential([keras.layers.Input(shape=(10,)), keras.layers.Dense(5)])
    loss.compile(optimizer="adam", loss=malicious_loss)
    loss.save(folder / "loss_injection.h5")
    metric = keras.Sequential([keras.layers.Input(shape=(10,)), keras.layers.Dense(5)])
    metric.compile(optimizer="adam", loss="mse", metrics=[MaliciousMetric()])
    metric.save(folder / "metric_injection.h5")
    return {
        "custom_layer_attack.h5": {"peer": "modelaudit", "check": "Custom Layer Class Detection"},
        "loss_injection.h5": {"peer": "modelaudit", "check": "Custom Loss Detection"},
        "metric_injection.h5": {"peer": "modelaudit", "check": "Custom Metric Detection"},
    }


def main() -> None:
    if DATA.exists():
        shutil.rmtree(DATA)
    DATA.mkdir(parents=True)
    expected = modelscan_fixtures(DATA) | modelaudit_bare_h5(DATA) | modelaudit_keras_h5(DATA)
    for folder in DATA.glob("saved_model_*"):
        (folder / "fingerprint.pb").unlink(missing_ok=True)  # random per save: keeps regeneration stable
    versions = {"tensorflow": tf.__version__, "python": sys.version.split()[0]}
    text = json.dumps({"versions": versions, "files": expected}, indent=2, sort_keys=True)
    (DATA / "expected.json").write_text(text + "\n")
    print("\n".join(sorted(expected)))


if __name__ == "__main__":
    main()
