"""keras-hub presets and sharded weights: every command reads them (dump, inspect, validate, scan, diff,
textconv), clone keeps every tensor bit-exact to a `.keras` file and to a preset that keras-hub loads,
and `model.set` edits a backbone's own fields. The presets are written by keras-hub (`tests/presets.py`);
keras-hub is installed by `make install` without its TensorFlow dependencies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import keras_hub  # installed by `make install`: these tests must run, never skip
import numpy as np
import pytest

from modelcfg_cli.errors import SourceError
from modelcfg_cli.weights.shards import merged_view, shard_files
from modelcfg_cli.weights.stored import read_weights
from tests.helpers import assert_one_line_error, invoke


@pytest.fixture(scope="module")
def presets(tmp_path_factory):
    from tests.presets import write_presets

    return write_presets(tmp_path_factory.mktemp("presets"))


def test_the_sharded_preset_is_sharded(presets):
    shards = shard_files(presets["gpt2_sharded"] / "model.weights.json")
    assert len(shards) > 3 and not (presets["gpt2_sharded"] / "model.weights.h5").exists()


def test_sharded_weights_read_as_the_single_file(presets):
    single, sharded = read_weights(str(presets["gpt2"])), read_weights(str(presets["gpt2_sharded"]))
    assert list(single) == list(sharded) and sum(len(a) for a in sharded.values()) == 36
    for layer, arrays in single.items():
        assert all(np.array_equal(a, b) for a, b in zip(arrays, sharded[layer], strict=True)), layer


def test_the_merged_view_is_removed_afterwards(presets):
    with merged_view(presets["gpt2_sharded"] / "model.weights.json") as view:
        assert view.is_file()
    assert not view.exists()


def _copy(presets, tmp_path, name="gpt2_sharded"):
    target = tmp_path / name
    shutil.copytree(presets[name], target)
    return target


def test_a_missing_shard_is_one_line(presets, tmp_path):
    broken = _copy(presets, tmp_path)
    (broken / "model_00003.weights.h5").unlink()
    with pytest.raises(SourceError, match="names the shard model_00003.weights.h5, which is missing"):
        read_weights(str(broken))
    assert_one_line_error(invoke("textconv", broken), "model_00003.weights.h5, which is missing")


def test_a_shard_outside_the_folder_is_refused(presets, tmp_path):
    broken = _copy(presets, tmp_path)
    index = json.loads((broken / "model.weights.json").read_text())
    first = next(iter(index["weight_map"]))
    index["weight_map"][first] = "../secret.weights.h5"
    (broken / "model.weights.json").write_text(json.dumps(index))
    assert_one_line_error(invoke("diff", broken, presets["gpt2"], "--weights"), "not a file beside it")


def test_dump_all_gives_every_config_by_file(presets):
    result = invoke("dump", presets["bert"], "--all")
    data = json.loads(result.stdout)
    assert list(data) == ["config.json", "tokenizer.json", "preprocessor.json", "task.json"]
    assert data["config.json"]["num_layers"] == 2 and data["tokenizer.json"]["oov_token"] == "[UNK]"


def test_dump_all_of_a_model_file_is_a_usage_error(presets, tmp_path):
    clone = tmp_path / "gpt2.keras"
    keras_hub.models.Backbone.from_preset(str(presets["gpt2"])).save(clone)
    assert_one_line_error(invoke("dump", clone, "--all"), "--all reads a keras-hub preset folder")


def test_inspect_shows_stored_layers_and_parts(presets):
    text = invoke("inspect", presets["bert"]).stdout
    assert "keras-hub preset of keras_hub>BertBackbone" in text
    assert "transformer_layer_1    16" in text and "token_embedding" in text
    assert "tokenizer.json                   keras_hub>BertTokenizer" in text
    assert "assets/tokenizer/vocabulary.txt" in text
    sharded = json.loads(invoke("inspect", presets["gpt2_sharded"], "--format", "json").stdout)["preset"]
    assert sharded["sharded"] and sum(r["parameters"] for r in sharded["stored_layers"]) == 5536
    assert len([f for f in sharded["weight_files"] if f["file"].startswith("model_")]) > 3


def test_validate_and_scan_pass_the_presets(presets):
    for command in ("validate", "scan"):
        result = invoke(command, presets["bert"], presets["gpt2_sharded"], "--format", "json")
        assert result.exit_code == 0, result.stdout
        files = json.loads(result.stdout)["files"]
        assert [len(f["errors"]) + len(f["warnings"]) for f in files] == [0, 0], result.stdout


def test_validate_checks_keras_hub_constructors(presets, tmp_path):
    broken = _copy(presets, tmp_path, "bert")
    config = json.loads((broken / "config.json").read_text())
    config["config"]["num_layer"] = config["config"].pop("num_layers")
    (broken / "config.json").write_text(json.dumps(config))
    tokenizer = json.loads((broken / "tokenizer.json").read_text())
    tokenizer["config"]["lowercas"] = True
    (broken / "tokenizer.json").write_text(json.dumps(tokenizer))
    result = invoke("validate", broken)
    assert result.exit_code == 1
    assert "missing required argument 'num_layers' (keras_hub>BertBackbone needs it)" in result.stdout
    assert (
        "'num_layer' is not an argument of keras_hub>BertBackbone's constructor; did you mean"
        in result.stdout
    )
    assert "tokenizer.json: 'lowercas' is not an argument" in result.stdout


def test_scan_reads_the_part_configs(presets, tmp_path):
    broken = _copy(presets, tmp_path, "bert")
    task = json.loads((broken / "task.json").read_text())
    task["config"]["activation"] = {"module": "os", "class_name": "system", "config": {}}
    (broken / "task.json").write_text(json.dumps(task))
    result = invoke("scan", broken)
    assert (
        result.exit_code == 1
        and "task.json: /config/activation: class system from module 'os'" in result.stdout
    )


def test_diff_of_a_preset_and_its_shards_is_equal(presets):
    result = invoke("diff", presets["gpt2"], presets["gpt2_sharded"], "--weights")
    assert result.exit_code == 0, result.stdout


def test_diff_names_tokenizer_and_asset_changes(presets, tmp_path):
    changed = _copy(presets, tmp_path, "bert")
    tokenizer = json.loads((changed / "tokenizer.json").read_text())
    tokenizer["config"]["lowercase"] = True
    (changed / "tokenizer.json").write_text(json.dumps(tokenizer))
    with (changed / "assets/tokenizer/vocabulary.txt").open("a") as handle:
        handle.write("bird\n")
    result = invoke("diff", presets["bert"], changed)
    assert result.exit_code == 1
    assert "tokenizer.json: config.lowercase: false -> true" in result.stdout
    assert "assets/tokenizer/vocabulary.txt:" in result.stdout


def test_textconv_of_the_shards_is_the_single_file(presets):
    single, sharded = (invoke("textconv", presets[n]).stdout for n in ("gpt2", "gpt2_sharded"))
    assert single == sharded and "weights: 36 tensors" in sharded


def test_clone_of_shards_to_keras_is_bit_exact(presets, tmp_path):
    import keras

    out = tmp_path / "gpt2.keras"
    result = invoke("clone", presets["gpt2_sharded"], "-o", out, "--keep-weights", "--import", "keras_hub")
    assert result.exit_code == 0, result.stderr
    assert "weights: kept 36 of 36 tensors in 5 layers" in result.stdout
    want = [w.numpy() for w in keras.saving.load_model(out).weights]
    from tests.presets import backbone_arrays

    got = backbone_arrays(presets["gpt2"])
    assert len(got) == 36 and all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))


def test_clone_to_a_sharded_preset_loads_in_keras_hub(presets, tmp_path):
    from tests.presets import SHARD_GB, backbone_arrays

    out = tmp_path / "copy"
    args = ("-o", out, "--keep-weights", "--import", "keras_hub", "--max-shard-size", SHARD_GB)
    result = invoke("clone", presets["gpt2"], *args)
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stdout and "(preset, " in result.stdout
    assert (out / "model.weights.json").is_file() and len(list(out.glob("model_*.weights.h5"))) > 3
    got, want = backbone_arrays(out), backbone_arrays(presets["gpt2"])
    assert len(got) == 36 and all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))


def test_clone_to_a_preset_copies_the_parts(presets, tmp_path):
    from tests.presets import backbone_arrays

    out = tmp_path / "bert"
    result = invoke("clone", presets["bert"], "-o", out, "--keep-weights", "--save-format", "preset")
    assert result.exit_code == 0, result.stderr
    for name in (
        "tokenizer.json",
        "preprocessor.json",
        "task.json",
        "task.weights.h5",
        "assets/tokenizer/vocabulary.txt",
    ):
        assert (out / name).read_bytes() == (presets["bert"] / name).read_bytes(), name
    got, want = backbone_arrays(out), backbone_arrays(presets["bert"])
    assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))
    task = keras_hub.models.TextClassifier.from_preset(str(out))
    head = keras_hub.models.TextClassifier.from_preset(str(presets["bert"])).layers[-1]
    assert np.array_equal(task.layers[-1].weights[0].numpy(), head.weights[0].numpy())


def test_clone_refuses_a_folder_that_holds_files(presets, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    result = invoke("clone", presets["gpt2"], "-o", tmp_path / "full", "--save-format", "preset")
    assert_one_line_error(result, "a preset is written to a new or empty folder")
    assert (tmp_path / "full" / "x").read_text() == "x"


def test_a_num_layers_rule_keeps_the_remaining_layers(presets, tmp_path):
    from tests.presets import backbone_arrays

    out = tmp_path / "one"
    args = ("-o", out, "--keep-weights", "--set", "model.num_layers=1")
    result = invoke("clone", presets["bert"], *args)
    assert result.exit_code == 0, result.stderr
    assert "num_layers: 2 -> 1" in result.stdout
    assert "dropped transformer_layer_1: 16 tensors not in the clone" in result.stdout
    backbone = keras_hub.models.Backbone.from_preset(str(out))
    assert backbone.num_layers == 1 and len(backbone.weights) == 39 - 16
    source = keras_hub.models.Backbone.from_preset(str(presets["bert"]))
    kept = {w.path: w.numpy() for w in source.weights}
    assert all(np.array_equal(w.numpy(), kept[w.path]) for w in backbone.weights)
    task = json.loads((out / "task.json").read_text())
    assert task["config"]["backbone"]["config"]["num_layers"] == 1
    assert backbone_arrays(out)  # keras-hub loads every weight it asks for


def test_model_set_from_a_rules_file(presets, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("model:\n  set: {num_layers: 1, dropout: 0.0}\n")
    result = invoke("clone", presets["gpt2"], "--dry-run", "--rules", rules)
    assert (
        result.exit_code == 0
        and "num_layers: 2 -> 1" in result.stdout
        and "dropout: 0.1 -> 0.0" in result.stdout
    )


def test_an_unknown_model_field_says_did_you_mean(presets):
    result = invoke("clone", presets["gpt2"], "--dry-run", "--set", "model.num_layer=1")
    assert_one_line_error(
        result, "keras_hub>GPT2Backbone has no constructor argument 'num_layer'", "'num_layers'"
    )


def test_model_set_on_a_functional_model_is_refused(saved_models):
    result = invoke("clone", saved_models["sequential"]["keras"], "--dry-run", "--set", "model.units=3")
    assert_one_line_error(result, "edit them with rules, not model.set")


def test_the_keras_hub_schemas_are_current(tmp_path):
    import importlib.util

    from modelcfg_cli.schema_store import schema_root

    script = Path(__file__).resolve().parents[1] / "scripts" / "hubschemas.py"
    spec = importlib.util.spec_from_file_location("hubschemas", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    build, render = module.build, module.render

    checked_in = schema_root().joinpath("keras_hub.schema.json").read_text(encoding="utf-8")
    assert render(build()) == checked_in, "run `make schemas`"
