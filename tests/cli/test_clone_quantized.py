"""`model: {dtype_policy: int8_from_float32}`: the clone is built in float, given its weights, then
quantized by Keras (the layers that support it), and still computes what its source computed."""

from __future__ import annotations

import pytest

from tests.helpers import assert_one_line_error, invoke


@pytest.mark.parametrize("mode", ["int8", "float8"])
def test_a_quantized_policy_quantizes_after_the_weights(tmp_path, mode):
    import keras

    out = tmp_path / f"{mode}.keras"
    policy = f"{mode}_from_float32"
    result = invoke(
        "clone",
        "examples/classifier.keras",
        "-o",
        out,
        "--keep-weights",
        "--set",
        f"model.dtype_policy={policy}",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # Keras's warnings about layers it cannot quantize stay out
    assert f"quantized to {mode}: 1 layer(s)" in result.stdout
    assert "weights: kept 10 of 10 tensors in 4 layers" in result.stdout
    model = keras.saving.load_model(out)
    assert model.get_layer("predictions").dtype_policy.name == policy
    assert model.get_layer("conv1").dtype_policy.name == "float32"
    close = invoke("compare", "examples/classifier.keras", out, "--atol", "0.05", "--rtol", "0.05")
    assert close.exit_code == 0, close.stdout


def test_an_unknown_quantization_mode_is_one_line(tmp_path):
    result = invoke(
        "clone",
        "examples/classifier.keras",
        "-o",
        tmp_path / "x.keras",
        "--set",
        "model.dtype_policy=int2_from_float32",
    )
    assert_one_line_error(
        result, "'int2_from_float32': quantization mode 'int2' is not one of int8, int4, float8"
    )
