"""The core of `compare`: loading (a legacy file upgraded), generated inputs, and the difference measures."""

from __future__ import annotations

import json

import h5py
import keras
import numpy as np
import pytest

from modelcfg_cli.errors import SourceError, UsageError
from modelcfg_cli.keras_side.compare import (
    CompareOptions,
    ModelsDoNotMatch,
    argmax_agreement,
    compare,
    output_diff,
    tolerance,
)
from modelcfg_cli.keras_side.inputs import DEFAULT_INT_LIMIT, OTHER_AXIS, generated_inputs, integer_limits
from modelcfg_cli.keras_side.loading import load_source
from tests.compare_models import CHANGE, CHANGED_ELEMENT


def test_one_changed_kernel_element_is_found_in_the_output_it_feeds(compare_files):
    result = compare(compare_files["two_heads"], compare_files["two_heads_changed"])
    assert not result.equal
    assert [out.name for out in result.failing] == ["score"]
    label, score = result.outputs
    assert label.within and label.max_abs == 0.0 and label.argmax_agree == 1.0
    # score = features @ kernel + bias: the change shows as CHANGE times the feature it multiplies
    model = keras.saving.load_model(compare_files["two_heads"])
    _, (_, features) = generated_inputs(keras, model, batch=4, seed=0)
    expected = CHANGE * np.abs(features[:, CHANGED_ELEMENT[0]]).max()
    assert score.max_abs == pytest.approx(expected, rel=1e-5)
    assert score.argmax_agree is None and score.nan == (0, 0)


def test_a_file_equals_itself_exactly(compare_files):
    result = compare(compare_files["two_heads"], compare_files["two_heads"], CompareOptions(seed=5, batch=2))
    assert result.equal
    assert all(out.max_abs == 0.0 and out.mean_abs == 0.0 for out in result.outputs)
    assert [spec.shape for spec in result.inputs] == [(2, 6), (2, 5)]


def test_generated_integers_stay_inside_every_consuming_embedding(compare_files):
    model = keras.saving.load_model(compare_files["lookups"])
    # "tokens" reaches Embedding(9) directly and Embedding(5) inside the nested model "inner"
    assert integer_limits(keras, model) == {0: 5, 1: 40}
    specs, (tokens, ids, mask) = generated_inputs(keras, model, batch=3, seed=1)
    assert tokens.min() >= 0 and tokens.max() < 5 and len(np.unique(tokens)) > 1
    assert 0 <= ids.max() < 40 and ids.shape == (3, OTHER_AXIS)
    assert np.all(mask == 1) and specs[2].ones and specs[2].limit is None
    assert [spec.dtype for spec in specs] == ["int32"] * 3


def test_an_integer_input_without_a_lookup_gets_the_default_range():
    model = keras.Sequential([keras.Input((4,), dtype="int32"), keras.layers.Dense(2)])
    specs, (array,) = generated_inputs(keras, model, batch=64, seed=0)
    assert specs[0].limit == DEFAULT_INT_LIMIT and array.min() >= 0 and array.max() < DEFAULT_INT_LIMIT


def test_a_string_input_asks_for_an_inputs_file():
    text = keras.Input((1,), dtype="string", name="text")
    model = keras.Model(text, keras.layers.Identity()(text))
    with pytest.raises(UsageError, match="text: is a string input: pass its arrays with --inputs"):
        generated_inputs(keras, model, batch=2, seed=0)


def test_the_seed_decides_the_inputs(compare_files):
    model = keras.saving.load_model(compare_files["plain"])
    first = generated_inputs(keras, model, batch=4, seed=0)[1][0]
    assert np.array_equal(first, generated_inputs(keras, model, batch=4, seed=0)[1][0])
    assert not np.array_equal(first, generated_inputs(keras, model, batch=4, seed=1)[1][0])


def test_nan_in_either_output_is_a_difference():
    a = np.array([[0.5, 0.5]], "float32")
    b = np.array([[0.5, np.nan]], "float32")
    diff = output_diff("y", a, b, atol=1.0, rtol=1.0)
    assert not diff.within and diff.nan == (0, 1) and diff.max_abs == 0.0


def test_infinities_at_the_same_place_are_equal_elsewhere_not():
    a = np.array([1.0, np.inf, -np.inf])
    same = output_diff("y", a, a.copy(), atol=0, rtol=0)
    assert same.within and same.inf == (2, 2)
    flipped = output_diff("y", a, np.array([1.0, -np.inf, -np.inf]), atol=1, rtol=1)
    assert not flipped.within


def test_tolerance_is_relative_to_a_and_max_rel_skips_zeros_of_a():
    a = np.array([0.0, 100.0])
    b = np.array([5e-6, 100.009])
    diff = output_diff("y", a, b, atol=1e-5, rtol=1e-4)
    assert diff.within  # 5e-6 <= 1e-5; 0.009 <= 1e-5 + 1e-4 * 100
    assert diff.max_rel == pytest.approx(0.009 / 100)
    assert not output_diff("y", a, np.array([2e-5, 100.0]), atol=1e-5, rtol=1e-4).within


def test_argmax_agreement_only_for_class_scores():
    scores = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    assert argmax_agreement(scores, np.array([[0.7, 0.2, 0.1], [0.6, 0.3, 0.1]])) == 0.5
    assert argmax_agreement(scores * 2, scores) is None  # rows do not sum to 1
    assert argmax_agreement(scores - 0.5, scores) is None  # negative values: logits, not probabilities
    assert argmax_agreement(np.array([[1.0], [1.0]]), np.array([[1.0], [1.0]])) is None  # one class


def test_default_tolerance_follows_the_least_precise_compute_dtype():
    full = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    half = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, dtype="float16")])
    assert tolerance(CompareOptions(), full, full) == (1e-5, 1e-4)
    assert tolerance(CompareOptions(), full, half) == (1e-3, 1e-2)
    assert tolerance(CompareOptions(atol=0.5), full, half) == (0.5, 1e-2)


def test_a_keras2_h5_is_upgraded_with_its_weights(legacy_dir):
    loaded = load_source(keras, legacy_dir["keras2_h5"])
    assert loaded.notes[0] == "upgraded from Keras 2.3.1"
    with h5py.File(legacy_dir["keras2_h5"]) as handle:
        group = handle["model_weights"]
        k1, b1 = group["dense_1/dense_1/kernel:0"][()], group["dense_1/dense_1/bias:0"][()]
        k2, b2 = group["dense_2/dense_2/kernel:0"][()], group["dense_2/dense_2/bias:0"][()]
    x = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
    logits = np.maximum(x @ k1 + b1, 0) @ k2 + b2
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loaded.model.predict_on_batch(x), expected, rtol=1e-5, atol=1e-6)


def test_a_config_without_weights_is_refused(saved_models):
    with pytest.raises(SourceError, match="no weights"):
        load_source(keras, saved_models["sequential"]["json"])


def test_models_with_other_inputs_do_not_match(compare_files):
    with pytest.raises(ModelsDoNotMatch, match=r"has 1 input\(s\), .*two_heads.keras has 2"):
        compare(compare_files["two_heads"], compare_files["plain"])


def test_json_numbers_are_plain_floats(compare_files):
    from modelcfg_cli.output.compare_report import as_json

    result = compare(compare_files["two_heads"], compare_files["two_heads_changed"])
    data = json.loads(as_json(result))
    assert all(isinstance(out["max_abs"], float) for out in data["outputs"])
