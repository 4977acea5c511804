"""`modelcfg_cli.clone` end to end: real models rewritten, built, saved and reloaded in Keras."""

from __future__ import annotations

import json
import os

import pytest

from modelcfg_cli import clone
from modelcfg_cli.errors import CloneError, UsageError
from modelcfg_cli.keras_side.backend import choose_backend
from modelcfg_cli.keras_side.pipeline import BuildContext, CloneRefused, plan_clone
from modelcfg_cli.keras_side.verify import mismatches

KERAS_DOC_RULES = {
    "rules": [
        {"match": {"class_name": "LSTM"}, "wrap": {"class_name": "Bidirectional"}},
        {"match": {}, "set_everywhere": {"seed": 1337}},
    ]
}


def load(path):
    import keras

    return keras.saving.load_model(path, compile=False)


def all_seeds(value) -> list:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "seed"]
        return found + [s for item in value.values() for s in all_seeds(item)]
    if isinstance(value, list):
        return [s for item in value for s in all_seeds(item)]
    return []


def test_keras_documentation_examples(saved_models, tmp_path):
    """clone_model's two documented clone_functions: every LSTM -> Bidirectional(LSTM), seeds 1337."""
    out = tmp_path / "tagger.keras"
    result = clone(saved_models["rnn"]["keras"], out, KERAS_DOC_RULES)
    model = load(out)
    config = json.loads(model.to_json())
    classes = {layer.name: type(layer).__name__ for layer in model.layers}
    assert classes == {
        "tokens": "InputLayer",
        "embed": "Embedding",
        "bilstm": "Bidirectional",
        "lstm_2": "Bidirectional",
        "tags": "TimeDistributed",
    }
    wrapped = model.get_layer("lstm_2")
    assert type(wrapped.forward_layer).__name__ == "LSTM" and wrapped.forward_layer.units == 5
    assert type(model.get_layer("bilstm").forward_layer).__name__ == "LSTM", "no Bidirectional(Bidirectional)"
    seeds = all_seeds(config)
    assert len(seeds) >= 8 and set(seeds) == {1337}
    before = {
        k: v
        for k, v in saved_models["rnn"]["expected"]["layers"][1]["config"].items()
        if k != "embeddings_initializer"
    }
    after = {k: v for k, v in model.get_layer("embed").get_config().items() if k != "embeddings_initializer"}
    assert before == after, "other layers untouched"
    assert result.params == model.count_params() and result.save_format == "keras"


def test_no_rules_is_clone_model(saved_models, tmp_path):
    out = tmp_path / "branches.keras"
    result = clone(saved_models["branches"]["keras"], out)
    assert json.loads(json.dumps(load(out).get_config())) == saved_models["branches"]["expected"]
    assert result.plan.changes == [] and result.layers == 6


def test_application_model_with_rules(saved_models, tmp_path):
    out = tmp_path / "mobilenet.keras"
    rules = {
        "rules": [
            {"match": {"name": "block_[1-3]_*"}, "freeze": True},
            {
                "match": {"class_name": "Conv2D", "where": {"filters": {"gt": 64}}},
                "set": {"kernel_regularizer": {"class_name": "L2", "config": {"l2": 1e-4}}},
            },
            {"match": {"name": "predictions"}, "set": {"units": 5}},
            {"match": {"class_name": "Dropout"}, "remove": True},
        ],
        "model": {"name": "variant", "input_shape": [48, 48, 3]},
    }
    clone(saved_models["mobilenet"]["keras"], out, rules)
    model = load(out)
    assert model.name == "variant" and model.input_shape == (None, 48, 48, 3)
    assert model.output_shape == (None, 5)
    assert not model.get_layer("block_2_expand").trainable and model.get_layer("block_4_expand").trainable
    big = [layer for layer in model.layers if type(layer).__name__ == "Conv2D" and layer.filters > 64]
    assert big and all(type(layer.kernel_regularizer).__name__ == "L2" for layer in big)
    assert not any(type(layer).__name__ == "Dropout" for layer in model.layers)


def test_nested_model_rules_to_h5(saved_models, tmp_path):
    out = tmp_path / "nested.h5"
    rules = {
        "rules": [
            {"match": {"path": "inner_block/inner_dense"}, "set": {"units": 4}, "rename": "deep"},
            {
                "match": {"path": "encoder/enc_*"},
                "insert_after": {"class_name": "Dropout", "config": {"rate": 0.5}},
            },
        ]
    }
    clone(saved_models["nested"]["keras"], out, rules)
    model = load(out)
    inner = model.get_layer("inner_block")
    assert inner.get_layer("deep").units == 4 and model.output_shape == (None, 1)
    assert [layer.name for layer in model.get_layer("encoder").layers] == ["enc_dense", "enc_dense_dropout"]


def test_sources_in_every_format_clone_to_json(saved_models, tmp_path):
    for kind in ("h5", "dir", "yaml", "config"):
        out = tmp_path / f"seq_{kind}.json"
        clone(saved_models["sequential"][kind], out, sets=["layers.dense_1.units=3"])
        config = json.loads(out.read_text())
        assert config["config"]["layers"][1]["config"]["units"] == 3


def test_post_build_steps_see_the_source(saved_models, tmp_path):
    seen = []

    def step(context: BuildContext):
        seen.append((context.source.path, context.model.name))
        context.notes.append("step ran")

    result = clone(saved_models["sequential"]["keras"], tmp_path / "s.keras", post_build=[step])
    assert seen == [(saved_models["sequential"]["keras"], "seq")] and result.notes == ("step ran",)


def test_invalid_rewrite_writes_nothing(saved_models, tmp_path):
    out = tmp_path / "bad.keras"
    with pytest.raises(CloneRefused) as error:
        clone(
            saved_models["sequential"]["keras"],
            out,
            {"rules": [{"match": {"name": "dense_2"}, "set": {"units": -1}}]},
        )
    assert any("units" in problem for problem in error.value.problems)
    assert list(tmp_path.iterdir()) == []


def test_strict_rule_matching_nothing(saved_models, tmp_path):
    rules = {"rules": [{"match": {"class_name": "GRU"}, "freeze": True}]}
    plan = plan_clone(saved_models["sequential"]["keras"], rules, strict=True)
    assert plan.problems == ["rules[0]: rule matched no layer (freeze on class_name=GRU)"]
    assert plan_clone(saved_models["sequential"]["keras"], rules).problems == []


def test_keras_refusal_is_one_line(saved_models, tmp_path):
    rules = {
        "rules": [
            {"match": {"name": "dense_1"}, "replace": {"class_name": "NoSuchLayer", "module": "nowhere"}}
        ]
    }
    with pytest.raises(CloneError) as error:
        clone(saved_models["sequential"]["keras"], tmp_path / "x.keras", rules)
    assert "'NoSuchLayer'" in str(error.value) and "--import MODULE" in str(error.value)
    assert "\n" not in str(error.value) and list(tmp_path.iterdir()) == []


def test_lambda_needs_unsafe(saved_models, tmp_path):
    with pytest.raises(CloneError, match="'double' is a Lambda.*--unsafe"):
        clone(saved_models["lambda"]["keras"], tmp_path / "l.keras")
    clone(saved_models["lambda"]["keras"], tmp_path / "l.keras", unsafe=True)
    assert (tmp_path / "l.keras").is_file()


def test_output_equal_to_source_and_missing_folder(saved_models, tmp_path):
    with pytest.raises(UsageError, match="overwrite the input"):
        clone(saved_models["sequential"]["keras"], saved_models["sequential"]["keras"])
    with pytest.raises(UsageError, match="does not exist"):
        clone(saved_models["sequential"]["keras"], tmp_path / "no" / "x.keras")
    with pytest.raises(UsageError, match="--save-format"):
        clone(saved_models["sequential"]["keras"], tmp_path / "x.bin")


def test_backend_choice(monkeypatch):
    import keras

    active = keras.backend.backend()
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    assert choose_backend() == active
    other = "torch" if active != "torch" else "jax"
    with pytest.raises(UsageError, match=f"already imported with the '{active}' backend"):
        choose_backend(other)
    with pytest.raises(UsageError, match="unknown backend"):
        choose_backend("theano")


def test_fastest_backend_without_keras():
    import subprocess
    import sys

    code = "from modelcfg_cli.keras_side.backend import choose_backend; print(choose_backend())"
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "numpy"


def test_mismatches_ignores_what_keras_recomputes():
    tensor = {"class_name": "__keras_tensor__", "config": {"shape": [None, 3], "keras_history": ["a", 0, 0]}}
    saved = {"class_name": "__keras_tensor__", "config": {"shape": [None, 4], "keras_history": ["a", 0, 0]}}
    assert (
        mismatches(
            {"x": tensor, "build_config": 1, "dtype": "float32"},
            {"x": saved, "extra": 2, "dtype": {"config": {"name": "float32"}}},
        )
        == []
    )
    assert mismatches({"units": 3}, {"units": 4}) == ["units: expected 3, saved 4"]


def test_rnn_unwrap_insert_rename(saved_models, tmp_path):
    out = tmp_path / "rnn.keras"
    rules = {
        "rules": [
            {"match": {"name": "tags"}, "unwrap": True},
            {
                "match": {"name": "lstm_2"},
                "insert_before": {"class_name": "Dropout", "config": {"rate": 0.2}},
            },
            {"match": {"name": "bilstm"}, "rename": "encoder"},
        ]
    }
    clone(saved_models["rnn"]["json"], out, rules)
    model = load(out)
    assert [layer.name for layer in model.layers] == [
        "tokens",
        "embed",
        "encoder",
        "dropout_lstm_2",
        "lstm_2",
        "tags",
    ]
    assert type(model.get_layer("tags")).__name__ == "Dense" and model.output_shape == (None, 10, 4)


def test_freeze_everything(saved_models, tmp_path):
    out = tmp_path / "frozen.keras"
    clone(saved_models["nested"]["keras"], out, {"rules": [{"match": {}, "freeze": True}]})
    model = load(out)
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 6
