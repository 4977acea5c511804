"""`clone --keep-weights` keeps its promise: every stored tensor in the clone bit for bit, or exit 1 with
nothing written, unless the rules caused the loss or `--allow-fresh` allows it.

Files written by Keras 3.0.5 and 3.2.1 (layers keyed by class and counter, no names stored) clone with
every tensor and compute what that Keras computed. The counts are read back from the clone."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest

import modelcfg_cli
from modelcfg_cli.keras_side.bit_check import CAST, DIFFERENT, EXACT, NO_SLOT, compare
from modelcfg_cli.keras_side.promise import WeightsLost
from modelcfg_cli.weights.saving_keys import layer_entries, snake_case
from modelcfg_cli.weights.stored import read_weights
from tests.helpers import assert_one_line_error, invoke
from tests.legacy import keras2_functional, write_h5

EARLY = Path(__file__).parent / "keras3_early_fixtures" / "data"
EARLY_FILES = sorted(EARLY.glob("*/*.keras"))


def load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return keras.saving.load_model(path, compile=False)


def layer_weights(model, prefix: str = "") -> dict[str, list[np.ndarray]]:
    found = {}
    for layer in model.layers:
        path = f"{prefix}{layer.name}"
        if isinstance(layer, keras.Model):
            found.update(layer_weights(layer, f"{path}/"))
        elif layer.weights:
            found[path] = [np.asarray(w.numpy()) for w in layer.weights]
    return found


def _bits(arrays) -> list[tuple]:
    return sorted((a.shape, a.dtype.str, a.tobytes()) for a in arrays)


# -- Keras 3.0-3.2 files ---------------------------------------------------------------------------


def test_the_early_fixtures_store_no_names_and_keys_that_are_not_the_names():
    assert {path.parent.name for path in EARLY_FILES} == {"3.0.5", "3.2.1"}
    with zipfile.ZipFile(EARLY / "3.2.1" / "embed_lstm.keras") as archive:
        metadata = json.loads(archive.read("metadata.json"))
        config = json.loads(archive.read("config.json"))
        with h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as handle:
            assert sorted(handle["layers"]) == ["dense", "embedding", "lstm", "lstm_1"]
            assert "name" not in handle["layers/lstm_1/vars"].attrs
    assert metadata["keras_version"] == "3.2.1"
    names = [layer["config"]["name"] for layer in config["config"]["layers"]]
    assert names == ["input_layer", "embedding_4", "lstm_8", "lstm_9", "dense_2"]


@pytest.mark.parametrize("source", EARLY_FILES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_an_early_keras3_file_clones_with_every_tensor_and_its_outputs(source, tmp_path):
    out = tmp_path / "clone.keras"
    result = modelcfg_cli.clone(source, out, keep_weights=True)
    reference = np.load(source.with_suffix(".npz"))
    mapping = json.loads(source.with_suffix(".json").read_text())["layers"]
    stored = sum(len(indices) for indices in mapping.values())
    assert result.notes[0] == f"weights: kept {stored} of {stored} tensors in {len(mapping)} layers"
    clone = load(out)
    got = layer_weights(clone)
    assert sorted(got) == sorted(mapping)
    for path, indices in mapping.items():
        assert _bits(got[path]) == _bits(reference[f"w{i}"] for i in indices), path
    xs = [reference[f"x{i}"] for i in range(len(clone.inputs))]
    outputs = clone.predict(xs[0] if len(xs) == 1 else xs, verbose=0)
    np.testing.assert_allclose(outputs, reference["y0"], atol=1e-6, rtol=0)


@pytest.mark.parametrize("source", EARLY_FILES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_the_keras_free_reader_names_early_layers_as_the_config_does(source):
    reference = np.load(source.with_suffix(".npz"))
    mapping = json.loads(source.with_suffix(".json").read_text())["layers"]
    stored = read_weights(str(source))
    assert sorted(stored) == sorted(mapping)
    for path, indices in mapping.items():
        assert _bits(stored[path]) == _bits(reference[f"w{i}"] for i in indices), path


def test_keys_repeat_saving_lib_class_and_counter_in_tracking_order():
    assert [snake_case(n) for n in ("MultiHeadAttention", "LSTM", "Conv2D", "GlobalAveragePooling1D")] == [
        "multi_head_attention",
        "lstm",
        "conv2d",
        "global_average_pooling1d",
    ]
    inner = {"class_name": "Sequential", "config": {"name": "block", "layers": [
        {"class_name": "InputLayer", "config": {"name": "block_in"}},
        {"class_name": "Dense", "config": {"name": "dense_7"}},
    ]}}  # fmt: skip
    model = {"class_name": "Functional", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"name": "x"}},
        {"class_name": "Dense", "config": {"name": "dense_9"}},
        inner,
        {"class_name": "Dense", "config": {"name": "dense_3"}},
    ]}}  # fmt: skip
    assert layer_entries(model) == {
        "layers/input_layer": "x",
        "layers/dense": "dense_9",
        "layers/sequential": "block",
        "layers/sequential/layers/dense": "block/dense_7",
        "layers/dense_1": "dense_3",
    }


# -- exact counts after rules that change shapes ---------------------------------------------------


def _randomised(model: keras.Model, path: Path) -> Path:
    rng = np.random.default_rng(3)
    model.set_weights([rng.normal(size=w.shape).astype("float32") + 0.5 for w in model.weights])
    model.save(path)
    return path


@pytest.fixture(scope="module")
def mlp(tmp_path_factory) -> Path:
    inputs = keras.Input((20,), name="x")
    hidden = keras.layers.Dense(16, activation="relu", name="fc1")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(4, name="fc2")(hidden), name="mlp")
    return _randomised(model, tmp_path_factory.mktemp("promise") / "mlp.keras")


@pytest.fixture(scope="module")
def bi(tmp_path_factory) -> Path:
    layers = keras.layers
    model = keras.Sequential(
        [keras.Input((5, 3)), layers.Bidirectional(layers.LSTM(4), name="bi"), layers.Dense(2, name="head")]
    )
    return _randomised(model, tmp_path_factory.mktemp("promise") / "bi.keras")


def carried_for_real(source: Path, clone: Path) -> int:
    """Stored tensors found bit for bit in the clone layer of the same path (counted apart from modelcfg)."""
    before, after = layer_weights(load(source)), layer_weights(load(clone))
    count = 0
    for path, arrays in before.items():
        left = _bits(after.get(path, []))
        for item in _bits(arrays):
            if item in left:
                left.remove(item)
                count += 1
    return count


MLP_RULES = {
    "input_shape": {"model": {"input_shape": [30]}},
    "insert_before": {
        "rules": [
            {"match": {"name": "fc2"}, "insert_before": {"class_name": "Dense", "config": {"units": 8}}}
        ]
    },
}


@pytest.mark.parametrize(("name", "kept"), [("input_shape", 3), ("insert_before", 3)])
def test_the_count_is_what_the_clone_holds_after_a_shape_change(mlp, tmp_path, name, kept):
    out = tmp_path / f"{name}.keras"
    result = modelcfg_cli.clone(mlp, out, MLP_RULES[name], keep_weights=True)
    assert carried_for_real(mlp, out) == kept
    assert result.notes[0].startswith(f"weights: kept {kept} of 4 tensors in 2 layers; ")
    assert all(line.endswith("; by the rules") for line in result.notes[1:])


def test_unwrap_keeps_the_forward_direction_and_counts_exactly(bi, tmp_path):
    out = tmp_path / "unwrapped.keras"
    rules = {"rules": [{"match": {"name": "bi"}, "unwrap": True}]}
    result = modelcfg_cli.clone(bi, out, rules, keep_weights=True)
    assert carried_for_real(bi, out) == 4  # the forward LSTM's 3 and the head's bias (its kernel is 4x2 now)
    assert result.notes[0] == "weights: kept 4 of 8 tensors in 2 layers; 2 re-initialised, 0 dropped"
    why = "kept 3 of 6 tensors; class changed: Bidirectional -> LSTM (the inner layer's weights kept)"
    assert f"  re-initialised bi: {why}; by the rules" in result.notes
    forward = load(bi).get_layer("bi").forward_layer.get_weights()
    assert _bits(load(out).get_layer("bi").get_weights()) == _bits(forward)


def test_unwrapping_time_distributed_keeps_every_tensor_and_the_outputs(tmp_path):
    layers = keras.layers
    inputs = keras.Input((4, 3))
    model = keras.Model(inputs, layers.TimeDistributed(layers.Dense(2), name="td")(inputs))
    source = _randomised(model, tmp_path / "td.keras")
    out = tmp_path / "dense.keras"
    result = modelcfg_cli.clone(
        source, out, {"rules": [{"match": {"name": "td"}, "unwrap": True}]}, keep_weights=True
    )
    assert result.notes[0] == "weights: kept 2 of 2 tensors in 1 layer"
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    np.testing.assert_array_equal(load(out).predict(x, verbose=0), load(source).predict(x, verbose=0))


def test_the_bit_check_tells_exact_cast_different_and_no_slot():
    stored = np.arange(6, dtype="float32").reshape(2, 3)
    assert compare(stored, stored.copy()) == EXACT
    assert compare(stored, stored.astype("float16")) == CAST
    assert compare(stored, stored + 1) == DIFFERENT
    assert compare(stored, np.zeros((3, 2), "float32")) == NO_SLOT
    assert compare(stored, None) == NO_SLOT
    assert compare(np.array([np.nan], "float32"), np.array([np.nan], "float32")) == EXACT


# -- the promise: an unexpected loss fails, --allow-fresh lets it pass -----------------------------


def rewritten_weights(source: Path, out: Path, edit) -> Path:
    """A copy of the `.keras` `source` whose weights file `edit(h5 file)` changed."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "r+") as handle:
        edit(handle)
    members["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out


@pytest.fixture
def fc2_missing(mlp, tmp_path) -> Path:
    """The MLP with the second Dense layer's weights cut out of the file."""
    return rewritten_weights(mlp, tmp_path / "cut.keras", lambda handle: handle.__delitem__("layers/dense_1"))


def test_a_layer_whose_weights_are_not_found_fails_with_the_report_first(fc2_missing, tmp_path):
    out = tmp_path / "out.keras"
    result = invoke("clone", fc2_missing, "-o", out, "--keep-weights")
    assert result.exit_code == 1
    assert not out.exists() and not list(tmp_path.glob("*.tmp*"))
    assert result.stdout.splitlines()[-2:] == [  # the report on stdout, as on success
        "weights: kept 2 of 2 tensors in 1 layer; 1 re-initialised, 0 dropped; 1 lost",
        "  re-initialised fc2: its stored weights were not found; lost: no rule asked for it",
    ]
    assert result.stderr.splitlines() == [
        f"modelcfg: error: {fc2_missing}: --keep-weights would lose the stored weights of fc2; "
        "nothing written (--allow-fresh LAYER lets a layer start fresh)",
    ]
    assert "Traceback" not in result.stderr


def test_allow_fresh_lets_the_named_layer_start_fresh(fc2_missing, tmp_path):
    out = tmp_path / "out.keras"
    result = invoke("clone", fc2_missing, "-o", out, "--keep-weights", "--allow-fresh", "fc2")
    assert result.exit_code == 0, result.stderr
    assert (
        "  re-initialised fc2: its stored weights were not found; allowed by --allow-fresh" in result.stdout
    )
    assert out.exists()


def test_a_stored_layer_the_clone_lacks_fails_unless_allowed(mlp, tmp_path):
    def add_stray(handle):
        handle.create_dataset("layers/dense_7/vars/0", data=np.ones((2, 2), "float32"))

    source = rewritten_weights(mlp, tmp_path / "stray.keras", add_stray)
    out = tmp_path / "out.keras"
    result = invoke("clone", source, "-o", out, "--keep-weights")
    assert result.exit_code == 1 and not out.exists()
    assert "  dropped dense_7: 1 tensor not in the clone; lost: no rule asked for it" in result.stdout


def test_a_layer_the_rules_remove_is_dropped_by_the_rules(mlp, tmp_path):
    rules = {"rules": [{"match": {"name": "fc2"}, "remove": True}]}
    result = modelcfg_cli.clone(mlp, tmp_path / "out.keras", rules, keep_weights=True)
    assert "  dropped fc2: 2 tensors not in the clone; by the rules" in result.notes


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ("--keep-weights", "--allow-fresh", "fc3"),
            ("--allow-fresh: no layer named 'fc3'", "did you mean fc2"),
        ),
        (("--allow-fresh", "fc2"), ("--allow-fresh: needs --keep-weights",)),
    ],
    ids=["unknown-layer", "without-keep-weights"],
)
def test_allow_fresh_usage_errors(mlp, tmp_path, args, fragments):
    out = tmp_path / "out.keras"
    assert_one_line_error(invoke("clone", mlp, "-o", out, *args), *fragments)
    assert not out.exists()


def test_allow_fresh_takes_the_path_of_a_nested_layer_and_its_bare_name(tmp_path):
    source = EARLY / "3.2.1" / "nested.keras"
    for name in ("sequential/dense_3", "dense_3"):
        result = invoke(
            "clone", source, "-o", tmp_path / "out.keras", "--keep-weights", "--allow-fresh", name
        )
        assert result.exit_code == 0, result.stderr


# -- legacy .h5: the same promise; the built-in upgrade excuses nothing ----------------------------


def legacy_h5(path: Path, second: list) -> Path:
    rng = np.random.default_rng(1)
    first = [("dense_1/kernel:0", rng.normal(size=(5, 3))), ("dense_1/bias:0", rng.normal(size=3))]
    write_h5(path, keras2_functional(), {"input_1": [], "dense_1": first, "dense_2": second})
    return path


def test_a_legacy_layer_without_stored_weights_fails(tmp_path):
    source = legacy_h5(tmp_path / "old.h5", [])
    result = invoke("clone", source, "-o", tmp_path / "out.keras", "--keep-weights")
    assert result.exit_code == 1
    assert (
        "  re-initialised dense_2: its stored weights were not found; lost: no rule asked for it"
        in result.stdout
    )


def test_a_shape_the_upgrade_cannot_keep_fails_but_a_rule_that_changes_it_passes(tmp_path):
    second = [("dense_2/kernel:0", np.ones((4, 2))), ("dense_2/bias:0", np.ones(2))]
    source = legacy_h5(tmp_path / "odd.h5", second)
    result = invoke("clone", source, "-o", tmp_path / "out.keras", "--keep-weights")
    assert result.exit_code == 1
    assert (
        "  re-initialised dense_2: shape changed: [4x2, 2] -> [3x2, 2]; lost: no rule asked for it"
        in result.stdout
    )
    result = invoke(
        "clone", source, "-o", tmp_path / "out.keras", "--keep-weights", "--set", "layers.dense_2.units=4"
    )
    assert result.exit_code == 0, result.stderr
    assert "  re-initialised dense_2: shape changed: [4x2, 2] -> [3x4, 4]; by the rules" in result.stdout


# -- weights that will not be read -----------------------------------------------------------------


def with_npz(source: Path, out: Path, arrays: dict) -> Path:
    """`source` with `model.weights.npz` (as Keras's NpzIOStore writes it) instead of `model.weights.h5`."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(out, "w") as copy:
        for name in ("config.json", "metadata.json"):
            copy.writestr(name, archive.read(name))
        copy.writestr("model.weights.npz", buffer.getvalue())
    return out


def test_pickled_npz_weights_are_refused_in_one_line(mlp, tmp_path):
    pickled = {"layers/dense": np.array({"0": np.zeros((20, 16))}, dtype=object)}
    source = with_npz(mlp, tmp_path / "npz.keras", pickled)
    out = tmp_path / "out.keras"
    result = invoke("clone", source, "-o", out, "--keep-weights")
    assert_one_line_error(result, str(source), "model.weights.npz", "pickled", "will not be read")
    assert "holds none" not in result.stderr and not out.exists()


def test_plain_npz_weights_are_refused_too(mlp, tmp_path):
    source = with_npz(mlp, tmp_path / "npz.keras", {"w": np.zeros(3)})
    result = invoke("clone", source, "-o", tmp_path / "out.keras", "--keep-weights")
    assert_one_line_error(result, "model.weights.npz", "not read")


def test_a_dtype_policy_casts_and_the_count_says_so(mlp, tmp_path):
    result = modelcfg_cli.clone(
        mlp, tmp_path / "bf16.keras", sets=["model.dtype_policy=bfloat16"], keep_weights=True
    )
    assert result.notes[0] == "weights: kept 4 of 4 tensors in 2 layers (4 cast to the new dtype)"


@keras.saving.register_keras_serializable(package="promise_test")
class ShiftingDense(keras.layers.Dense):
    """A Dense whose loading changes what was stored: the tensor has a slot but does not arrive."""

    def load_own_variables(self, store):
        super().load_own_variables(store)
        self.kernel.assign(self.kernel + 1.0)


@pytest.fixture
def shifty(tmp_path) -> Path:
    inputs = keras.Input((3,))
    model = keras.Model(inputs, ShiftingDense(2, name="shifty")(keras.layers.Dense(3, name="plain")(inputs)))
    return _randomised(model, tmp_path / "shifty.keras")


def test_a_tensor_that_fits_but_arrives_changed_is_lost(shifty, tmp_path):
    """Loaded into memory (an `.h5` output is not streamed), the layer's own loading changes the kernel."""
    with pytest.raises(WeightsLost) as caught:
        modelcfg_cli.clone(shifty, tmp_path / "out.h5", keep_weights=True)
    assert caught.value.report_lines == [
        "weights: kept 3 of 4 tensors in 2 layers; 1 re-initialised, 0 dropped; 1 lost",
        "  re-initialised shifty: kept 1 of 2 tensors; 1 stored tensor did not arrive"
        " (the clone holds other values); lost: no rule asked for it",
    ]
    assert not (tmp_path / "out.h5").exists()


def test_a_streamed_keras_clone_holds_the_stored_bytes_themselves(shifty, tmp_path):
    """Into a `.keras` file an unchanged layer's tensors are copied from the source file, not loaded."""
    out = tmp_path / "out.keras"
    result = modelcfg_cli.clone(shifty, out, keep_weights=True)
    assert result.notes[0] == "weights: kept 4 of 4 tensors in 2 layers"
    with zipfile.ZipFile(shifty) as a, zipfile.ZipFile(out) as b:
        old_bytes, new_bytes = a.read("model.weights.h5"), b.read("model.weights.h5")
    with h5py.File(io.BytesIO(old_bytes)) as old, h5py.File(io.BytesIO(new_bytes)) as new:
        for name in ("layers/dense/vars/0", "layers/dense/vars/1", "layers/shifting_dense/vars/0"):
            assert old[name][()].tobytes() == new[name][()].tobytes(), name


def test_keep_weights_on_a_config_only_source_fails_in_one_line(mlp, tmp_path):
    """A config holds no tensors: --keep-weights would silently give fresh weights, so it is refused."""
    config = tmp_path / "mlp.json"
    assert invoke("dump", str(mlp), "-o", str(config)).exit_code == 0
    out = tmp_path / "clone.keras"
    result = invoke("clone", str(config), "-o", str(out), "--keep-weights")
    assert_one_line_error(result, str(config), "stores no weights", "--weights FILE")
    assert not out.exists()
    assert invoke("clone", str(config), "-o", str(out)).exit_code == 0  # without the flag: fresh, as asked


def test_keep_weights_on_a_model_without_weights_is_fine(tmp_path):
    """A model with no weight-bearing layer has nothing to lose: the clone is written, exit 0."""
    source = tmp_path / "plain.keras"
    keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.1)], name="plain").save(source)
    result = invoke("clone", str(source), "-o", str(tmp_path / "out.keras"), "--keep-weights")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out.keras").exists()
