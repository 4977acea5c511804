"""TensorFlow.js layers models (`model.json` + `.bin` shards), made by tensorflowjs 4.22 from tf.keras
2.15 models and by TensorFlow.js 1.3.1 itself (tests/tfjs_fixtures): read by every command without
Keras, cloned to Keras 3 with every weight, computing what the original computed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from modelcfg_cli.keras_side.clone import clone
from modelcfg_cli.sources import read_document
from modelcfg_cli.weights.stored import read_weights
from tests.helpers import assert_one_line_error, invoke, run_without_keras

DATA = Path(__file__).resolve().parent / "tfjs_fixtures" / "data"
EXACT = ("plain", "teachable", "teachable_js", "layers_js")
QUANTIZED = ("uint8", "uint16", "float16")
LABELS = ["cat", "dog", "neither"]


def model_dir(name: str) -> Path:
    return DATA / name / "model"


def manifest(name: str) -> list[dict]:
    return json.loads((model_dir(name) / "model.json").read_text())["weightsManifest"]


def manifest_weights(name: str) -> list[dict]:
    return [weight for group in manifest(name) for weight in group["weights"]]


@pytest.fixture(scope="session")
def tfjs_clones(tmp_path_factory) -> dict:
    """{fixture: (CloneResult, loaded Keras 3 model)}, each cloned once with --keep-weights."""
    import keras

    folder = tmp_path_factory.mktemp("tfjs_clones")
    made = {}
    for name in EXACT + QUANTIZED:
        result = clone(str(model_dir(name)), str(folder / f"{name}.keras"), keep_weights=True)
        made[name] = (result, keras.saving.load_model(result.out, compile=False))
    return made


@pytest.mark.parametrize("name", EXACT + QUANTIZED)
def test_clone_computes_what_the_original_computed(tfjs_clones, name):
    reference = np.load(DATA / name / "reference.npz")
    inputs = [reference[key] for key in ("x0", "x1") if key in reference]
    got = np.asarray(tfjs_clones[name][1].predict(inputs if len(inputs) > 1 else inputs[0], verbose=0))
    assert got.shape == reference["y0"].shape
    tolerance = 1e-2 if name in QUANTIZED else 1e-5
    assert np.abs(got - reference["y0"]).max() <= tolerance


@pytest.mark.parametrize("name", EXACT + QUANTIZED)
def test_every_stored_weight_is_kept(tfjs_clones, name):
    result, model = tfjs_clones[name]
    count = len(manifest_weights(name))
    assert len(model.weights) == count
    assert result.notes[0].startswith(f"weights: kept {count} of {count} tensors in ")


@pytest.mark.parametrize("name", ["teachable_js", "uint8"])
def test_the_clone_holds_the_very_tensors_the_source_holds(tfjs_clones, name):
    result = invoke("diff", "--weights", "--format", "json", model_dir(name), tfjs_clones[name][0].out)
    report = json.loads(result.stdout)
    assert report["summary"]["weights"] == 0  # no tensor changed, added or removed
    assert not [change for change in report["changes"] if change["kind"] == "weights"]


def test_quantized_weights_differ_from_the_plain_ones_only_by_quantization(tfjs_clones):
    """The uint8 clone computes about what the float clone of the same (re-trained) model would: its
    outputs are not bit-equal to the reference, so the dequantized values were really used."""
    reference = np.load(DATA / "uint8" / "reference.npz")
    got = np.asarray(tfjs_clones["uint8"][1].predict(reference["x0"], verbose=0))
    assert 0 < np.abs(got - reference["y0"]).max() <= 1e-2


def test_tensorflow_js_recurrent_layers_keep_their_gates(tfjs_clones):
    """TensorFlow.js's GRU has no `reset_after` (it is False): its one bias of 3 * units is kept."""
    model = tfjs_clones["layers_js"][1]
    layer = model.get_layer("bidirectional_Bidirectional1")
    assert layer.forward_layer.cell.reset_after is False
    assert [tuple(w.shape) for w in layer.weights][2] == (9,)
    weights = read_weights(str(model_dir("layers_js")))
    np.testing.assert_array_equal(layer.get_weights()[5], weights["bidirectional_Bidirectional1"][5])


def test_teachable_machine_nesting_is_kept(tfjs_clones):
    model = tfjs_clones["teachable_js"][1]
    assert [layer.name for layer in model.layers] == ["sequential_1", "sequential_2"]
    features, head = model.layers
    assert [type(layer).__name__ for layer in features.layers] == ["Functional", "GlobalAveragePooling2D"]
    assert features.layers[0].name == "model1"
    assert "conv_pw_13" in [layer.name for layer in features.layers[0].layers]
    assert [layer.name for layer in head.layers] == ["dense_Dense1", "dense_Dense2"]


def test_uint8_weights_are_dequantized_as_tensorflow_js_does():
    """value * scale + min, from the stored bytes: checked on the first Dense kernel of the fixture."""
    weights = read_weights(str(model_dir("uint8")))
    specs = manifest_weights("uint8")
    data = b"".join((model_dir("uint8") / path).read_bytes() for path in manifest("uint8")[0]["paths"])
    offset = 0
    for spec in specs:
        size = int(np.prod(spec["shape"]))
        if spec["name"] == "dense_2/kernel":
            raw = np.frombuffer(data, np.uint8, size, offset).reshape(spec["shape"])
            quant = spec["quantization"]
            expected = (raw * quant["scale"] + quant["min"]).astype(np.float32)
            np.testing.assert_array_equal(weights["dense_2"][0], expected)
            assert weights["dense_2"][0].dtype == np.float32
            return
        offset += size
    raise AssertionError("no dense_2/kernel in the manifest")


def test_float16_weights_are_widened_and_split_groups_are_read_in_order():
    half = read_weights(str(model_dir("float16")))
    assert {array.dtype for arrays in half.values() for array in arrays} == {np.dtype("float32")}
    assert len(manifest("uint16")) == 5  # one group per layer
    assert [a.shape for a in read_weights(str(model_dir("uint16")))["conv2d_7"]] == [(3, 3, 4, 6), (6,)]


def test_the_model_json_path_reads_like_its_folder():
    folder, file = (
        read_document(str(model_dir("plain"))),
        read_document(str(model_dir("plain") / "model.json")),
    )
    assert folder.envelope == file.envelope
    assert folder.origin.format == file.origin.format == "tfjs-layers"
    assert (
        read_weights(str(model_dir("plain") / "model.json")).keys()
        == read_weights(str(model_dir("plain"))).keys()
    )


def test_inspect_shows_the_teachable_machine_labels():
    out = run_without_keras("inspect", model_dir("teachable_js"))
    assert "labels: cat, dog, neither" in out
    assert "tfjs tfjs-layers 1.3.1  format tfjs-layers" in out
    summary = json.loads(invoke("inspect", model_dir("teachable"), "--format", "json").stdout)
    assert summary["labels"] == LABELS
    assert summary["saved_by"] == "tf.keras"
    assert summary["counts"]["Sequential"] == 2


def test_dump_metadata_keeps_metadata_json():
    result = invoke("dump", "--metadata", model_dir("teachable_js"))
    metadata = json.loads(result.stdout)
    assert metadata["labels"] == LABELS
    assert metadata["model_metadata"]["packageName"] == "@teachablemachine/image"
    assert metadata["generated_by"] == "TensorFlow.js tfjs-layers v1.3.1"


@pytest.mark.parametrize("name", EXACT + QUANTIZED)
def test_validate_and_scan_pass(name):
    """As stored the config is Keras 2's (validate checks it as such); upgraded it is valid Keras 3."""
    assert invoke("validate", "--upgrade", model_dir(name)).exit_code == 0
    assert invoke("validate", model_dir(name)).exit_code in (0, 1)
    assert invoke("scan", model_dir(name)).exit_code == 0


def test_textconv_lists_every_tensor_without_keras():
    out = run_without_keras("textconv", model_dir("teachable_js"))
    assert "format: tfjs-layers" in out
    count = len(manifest_weights("teachable_js"))
    assert f"weights: {count} tensors" in out
    assert "  sequential_1/model1/conv_pw_13_bn [3] 4 float32 " in out


def test_diff_weights_between_a_model_and_its_quantized_twin(tmp_path):
    same = invoke("diff", "--weights", model_dir("plain"), model_dir("plain") / "model.json")
    assert same.exit_code == 0, same.stdout
    copy = shutil.copytree(model_dir("plain"), tmp_path / "model")
    spec = json.loads((copy / "model.json").read_text())
    first = spec["weightsManifest"][0]
    shard = copy / first["paths"][0]
    data = bytearray(shard.read_bytes())
    data[:4] = np.float32(42.0).tobytes()  # batch_normalization/gamma[0]
    shard.write_bytes(bytes(data))
    result = invoke("diff", "--weights", "--format", "json", model_dir("plain"), copy)
    assert result.exit_code == 1
    changes = [c for c in json.loads(result.stdout)["changes"] if c["kind"] == "weights"]
    assert [(c["layer"], c["path"], c["values_changed"]) for c in changes] == [
        ("batch_normalization", "0", 1)
    ]


def test_clone_through_the_cli_reports_every_tensor_kept(tmp_path):
    result = invoke("clone", "--keep-weights", model_dir("teachable"), "-o", tmp_path / "tm.keras")
    assert result.exit_code == 0, result.stderr
    count = len(manifest_weights("teachable"))
    assert f"weights: kept {count} of {count} tensors in 8 layers" in result.stdout + result.stderr


def test_a_graph_model_is_refused():
    result = invoke("inspect", model_dir("graph_model"))
    assert_one_line_error(result, "a TensorFlow.js graph model", "TensorFlow graph", "not a Keras model")


def test_stdin_reads_the_config_alone():
    result = invoke("inspect", "-", input=(model_dir("plain") / "model.json").read_bytes())
    assert result.exit_code == 0
    assert "format tfjs-layers" in result.stdout


def _broken(tmp_path: Path, change) -> Path:
    copy = shutil.copytree(model_dir("plain"), tmp_path / "model")
    spec = json.loads((copy / "model.json").read_text())
    change(copy, spec)
    (copy / "model.json").write_text(json.dumps(spec))
    return copy


def _truncate(copy: Path, spec: dict) -> None:
    shard = copy / spec["weightsManifest"][0]["paths"][-1]
    shard.write_bytes(shard.read_bytes()[:-4])


def _set_weight(key: str, value):
    def change(copy: Path, spec: dict) -> None:
        spec["weightsManifest"][0]["weights"][0][key] = value

    return change


BROKEN = {
    "missing shard": (
        lambda copy, spec: (copy / spec["weightsManifest"][0]["paths"][1]).unlink(),
        ("weights shard group1-shard2of3.bin is missing",),
    ),
    "short shard": (_truncate, ("are short", "bytes, the manifest's 12 weights take")),
    "shape not matching the bytes": (_set_weight("shape", [3]), ("longer than the manifest says",)),
    "unknown dtype": (_set_weight("dtype", "complex64"), ("unknown dtype 'complex64'",)),
    "unknown quantization": (
        _set_weight("quantization", {"dtype": "int4", "scale": 1, "min": 0}),
        ("unknown quantization dtype 'int4'",),
    ),
    "uint8 without scale": (
        _set_weight("quantization", {"dtype": "uint8"}),
        ("needs numeric 'scale' and 'min'",),
    ),
    "shard outside the folder": (
        lambda copy, spec: spec["weightsManifest"][0]["paths"].__setitem__(0, "../secret.bin"),
        ("'../secret.bin' is not a file inside the model's folder",),
    ),
}


@pytest.mark.parametrize("case", BROKEN)
@pytest.mark.parametrize("command", [("inspect",), ("textconv",), ("diff", "--weights")])
def test_broken_weights_are_one_line_errors(tmp_path, case, command):
    change, fragments = BROKEN[case]
    broken = _broken(tmp_path, change)
    args = (*command, broken, model_dir("plain")) if command[0] == "diff" else (*command, broken)
    assert_one_line_error(invoke(*args), str(broken), *fragments)


def test_inline_weights_are_refused_not_taken_for_none(tmp_path):
    def inline(copy: Path, spec: dict) -> None:
        spec["weightSpecs"] = spec.pop("weightsManifest")[0]["weights"]
        spec["weightData"] = {}

    broken = _broken(tmp_path, inline)
    assert invoke("inspect", broken).exit_code == 0  # the config reads
    result = invoke("clone", "--keep-weights", broken, "-o", tmp_path / "out.keras")
    assert_one_line_error(result, "weights are inline (weightSpecs and weightData)")


def test_a_weight_that_names_no_layer_stops_the_clone(tmp_path):
    broken = _broken(tmp_path, _set_weight("name", "nowhere/gamma"))
    result = invoke("clone", "--keep-weights", broken, "-o", tmp_path / "out.keras")
    assert_one_line_error(result, "weight 'nowhere/gamma' of the weightsManifest names no layer")
    assert not (tmp_path / "out.keras").exists()
    text = invoke("textconv", broken).stdout  # git diff still sees every tensor, by its manifest name
    assert "weights: 12 tensors, by stored path (weight 'nowhere/gamma'" in text
    assert "\n  nowhere/gamma 4 float32 " in text and "\n  dense_1/bias 3 float32 " in text


def test_scan_reports_files_tensorflow_js_does_not_write(tmp_path):
    copy = shutil.copytree(model_dir("teachable_js"), tmp_path / "model")
    (copy / "notes.txt").write_text("hello")
    (copy / "extra.pkl").write_bytes(b"\x80\x04\x95\x00")
    result = invoke("scan", "--format", "json", copy)
    assert result.exit_code == 1
    report = json.loads(result.stdout)["files"][0]
    got = {(f["member"], f["rule"], f["severity"]) for f in report["errors"] + report["warnings"]}
    assert got == {("notes.txt", "unexpected-member", "warning"), ("extra.pkl", "pickle", "error")}
    assert invoke("scan", copy / "model.json").exit_code == 0  # the model.json alone: its config only


def test_weights_named_with_their_nested_model_go_to_its_layer(tmp_path):
    """Some TensorFlow.js versions name nested layers' weights with their model (`sequential_1/...`)."""
    copy = shutil.copytree(model_dir("teachable_js"), tmp_path / "model")
    spec = json.loads((copy / "model.json").read_text())
    for weight in spec["weightsManifest"][0]["weights"]:
        if not weight["name"].startswith("dense_"):
            weight["name"] = "sequential_1/" + weight["name"]
    (copy / "model.json").write_text(json.dumps(spec))
    renamed, original = read_weights(str(copy)), read_weights(str(model_dir("teachable_js")))
    assert renamed.keys() == original.keys()
    for path, arrays in original.items():
        for mine, theirs in zip(renamed[path], arrays, strict=True):
            np.testing.assert_array_equal(mine, theirs)


def test_same_named_layers_in_two_nested_models_take_the_names_in_order():
    from modelcfg_cli.weights.tf.tfjs import place_weights

    def dense(name):
        return {"class_name": "Dense", "config": {"name": name, "units": 2}}

    envelope = {
        "class_name": "Sequential",
        "config": {
            "name": "outer",
            "layers": [
                {"class_name": "Sequential", "config": {"name": "a", "layers": [dense("dense")]}},
                {"class_name": "Sequential", "config": {"name": "b", "layers": [dense("dense")]}},
            ],
        },
    }
    arrays = [np.full(1, i) for i in range(4)]
    named = list(zip(["dense/kernel", "dense/bias", "dense/kernel", "dense/bias"], arrays, strict=True))
    placed = place_weights("x", envelope, named)
    assert {path: [int(a[0]) for a in got] for path, got in placed.items()} == {
        "a/dense": [0, 1],
        "b/dense": [2, 3],
    }


def _zipped(tmp_path: Path, name: str, extra: dict[str, bytes] | None = None, leave_out: str = "") -> Path:
    """The fixture's files zipped at the archive's top, as Teachable Machine's download holds them."""
    import zipfile

    target = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(model_dir(name).iterdir()):
            if file.name != leave_out:
                archive.write(file, file.name)
        for member, data in (extra or {}).items():
            archive.writestr(member, data)
    return target


def test_a_teachable_machine_zip_reads_and_clones_like_its_folder(tmp_path):
    import keras

    zipped = _zipped(tmp_path, "teachable_js")
    assert "labels: cat, dog, neither" in run_without_keras("inspect", zipped)
    assert invoke("scan", zipped).exit_code == 0
    result = clone(str(zipped), str(tmp_path / "tm.keras"), keep_weights=True)
    assert result.notes[0] == "weights: kept 18 of 18 tensors in 8 layers"
    reference = np.load(DATA / "teachable_js" / "reference.npz")
    got = keras.saving.load_model(result.out, compile=False).predict(reference["x0"], verbose=0)
    assert np.abs(np.asarray(got) - reference["y0"]).max() <= 1e-5


def test_a_zip_without_its_shard_or_with_a_pickle(tmp_path):
    missing = _zipped(tmp_path, "teachable_js", leave_out="weights.bin")
    assert_one_line_error(invoke("inspect", missing), "weights shard weights.bin is missing")
    (tmp_path / "more").mkdir()
    hostile = _zipped(tmp_path / "more", "teachable_js", {"extra.pkl": b"\x80\x04\x95", "notes.txt": b"hi"})
    result = invoke("scan", "--format", "json", hostile)
    assert result.exit_code == 1
    report = json.loads(result.stdout)["files"][0]
    got = {(f["member"], f["rule"], f["severity"]) for f in report["errors"] + report["warnings"]}
    assert got == {("extra.pkl", "pickle", "error"), ("notes.txt", "unexpected-member", "warning")}
