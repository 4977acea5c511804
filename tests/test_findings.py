"""Finding lines name the layer by its place in the config."""

from modelcfg_cli.findings import ERROR, Finding


def test_line_for_keras3_and_legacy_pointers():
    keras3 = Finding(ERROR, "/config/layers/12/config/filters", "bad", "conv1_conv", "Conv2D")
    assert keras3.line() == "layers[12] conv1_conv (Conv2D): bad"
    legacy = Finding(ERROR, "/config/0/config/units", "bad", "dense_1", "Dense")
    assert legacy.line() == "layers[0] dense_1 (Dense): bad"
    nested = Finding(ERROR, "/config/layers/3/config/layers/1/config/units", "bad", "d", "Dense")
    assert nested.line() == "layers[3].layers[1] d (Dense): bad"
    assert Finding(ERROR, "/config/output_layers", "missing").line() == "/config/output_layers: missing"
