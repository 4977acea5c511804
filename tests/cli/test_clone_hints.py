"""Errors that say what to do (issue 19): a Keras 3 `.h5` holding an op layer (Embedding(mask_zero=True)
writes `NotEqual`) is named as what the legacy format cannot store, not as a class to `--import`;
`replace: LSTM -> GRU` failing on `unit_forget_bias` says to `unset` it."""

from __future__ import annotations

import warnings

import pytest

from tests.helpers import assert_one_line_error, invoke


@pytest.fixture(scope="module")
def masked(tmp_path_factory) -> dict:
    import keras

    warnings.filterwarnings("ignore")
    tokens = keras.Input((5,), dtype="int32", name="tok")
    x = keras.layers.Embedding(20, 4, mask_zero=True, name="emb")(tokens)
    model = keras.Model(tokens, keras.layers.LSTM(3, name="lstm")(x), name="masked")
    folder = tmp_path_factory.mktemp("masked")
    model.save(folder / "masked.h5")
    model.save(folder / "masked.keras")
    return {"h5": folder / "masked.h5", "keras": folder / "masked.keras", "folder": folder}


def test_an_op_layer_in_a_keras3_h5_is_named_as_such(masked, tmp_path):
    for args in (
        ("clone", masked["h5"], "-o", tmp_path / "c.keras"),
        ("compare", masked["h5"], masked["keras"]),
    ):
        result = invoke(*args)
        assert_one_line_error(
            result,
            "op layer 'NotEqual'",
            "legacy .h5 format cannot store",
            "save the original model as .keras",
        )
        assert "--import" not in result.stderr


def test_replace_lstm_by_gru_says_to_unset_what_gru_rejects(masked, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - match: {class_name: LSTM}\n    replace: {class_name: GRU}\n")
    result = invoke("clone", masked["keras"], "-o", tmp_path / "gru.keras", "--rules", rules)
    assert result.exit_code == 1
    assert "unknown field 'unit_forget_bias'" in result.stdout
    assert "add `unset: unit_forget_bias` to the rule" in result.stdout
    rules.write_text(
        "rules:\n  - match: {class_name: LSTM}\n    replace: {class_name: GRU}\n    unset: unit_forget_bias\n"
    )
    import keras

    assert invoke("clone", masked["keras"], "-o", tmp_path / "gru.keras", "--rules", rules).exit_code == 0
    assert isinstance(keras.saving.load_model(tmp_path / "gru.keras").get_layer("lstm"), keras.layers.GRU)
