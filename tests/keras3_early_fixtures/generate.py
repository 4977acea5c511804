"""Make the Keras 3.0-3.2 `.keras` fixtures in `data/<keras version>/` (run ONLY in an old-Keras venv).

    python3.11 -m venv /work/venvs/keras30
    /work/venvs/keras30/bin/pip install keras==3.0.5 jax==0.4.23 jaxlib==0.4.23 "numpy<2" h5py
    KERAS_BACKEND=jax /work/venvs/keras30/bin/python tests/keras3_early_fixtures/generate.py
    (and the same with keras==3.2.1 jax==0.4.26 jaxlib==0.4.26 in /work/venvs/keras32)

Keras 3.0-3.2 stored each layer's weights under a key made from its class and a per-class counter in
tracking order (`layers/lstm_1/cell/vars/0`) and did not record the layer's name, while the config
names the layers `lstm_9`: the models are built after throwaway layers, so their auto names carry
counters that differ from the keys. Each fixture is `<name>.keras` plus `<name>.npz`: seeded inputs
`x0`..., the old Keras's outputs `y0`..., and every layer's weights `w<i>`; `<name>.json` maps each
layer path (nested models joined by `/`) to the indices of its weights in `layer.weights` order.
The test suite never imports this module; it reads the files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import keras
import numpy as np

layers = keras.layers
DATA = Path(__file__).resolve().parent / "data" / keras.__version__
BATCH = 3


def throwaway(*makers) -> None:
    """Create layers that are never used, so the model's auto names get counters (`embedding_4`)."""
    for make, count in makers:
        for _ in range(count):
            make()


def embed_lstm() -> keras.Model:
    throwaway((lambda: layers.Embedding(3, 2), 4), (lambda: layers.LSTM(2), 8), (lambda: layers.Dense(1), 2))
    return keras.Sequential(
        [
            keras.Input((7,), dtype="int32"),
            layers.Embedding(40, 8),
            layers.LSTM(6, return_sequences=True),
            layers.LSTM(5),
            layers.Dense(3, activation="softmax"),
        ]
    )


def branches() -> keras.Model:
    """Two Dense branches created in the opposite order to the one the graph tracks them in."""
    throwaway((lambda: layers.Dense(1), 5))
    late, early = layers.Dense(4, activation="relu"), layers.Dense(6, activation="tanh")
    inputs = keras.Input((5,))
    left = early(inputs)
    right = late(layers.Dense(3)(inputs))
    merged = layers.Concatenate()([left, right])
    return keras.Model(inputs, layers.Dense(2)(layers.BatchNormalization()(merged)))


def nested() -> keras.Model:
    """A Sequential inside a Functional, with Dense layers inside and outside it."""
    throwaway((lambda: layers.Dense(1), 3))
    inner = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"), layers.Dense(4)])
    inputs = keras.Input((4,))
    hidden = layers.Dense(4)(inputs)
    return keras.Model(inputs, layers.Dense(2)(inner(hidden)))


def attention() -> keras.Model:
    """MultiHeadAttention: its weights sit in sub-objects (query/key/value/output dense)."""
    throwaway((lambda: layers.MultiHeadAttention(2, 2), 2), (lambda: layers.Dense(1), 1))
    inputs = keras.Input((5, 6))
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=3)(inputs, inputs)
    normed = layers.LayerNormalization()(layers.Add()([inputs, attended]))
    return keras.Model(inputs, layers.Dense(3)(layers.GlobalAveragePooling1D()(normed)))


def bidirectional() -> keras.Model:
    throwaway((lambda: layers.LSTM(2), 3), (lambda: layers.GRU(2), 2))
    return keras.Sequential(
        [
            keras.Input((6, 4)),
            layers.Bidirectional(layers.LSTM(5, return_sequences=True)),
            layers.Bidirectional(layers.GRU(3)),
            layers.Dense(2),
        ]
    )


FIXTURES = {"embed_lstm": embed_lstm, "branches": branches, "nested": nested, "attention": attention,
            "bidirectional": bidirectional}  # fmt: skip


def randomise(model: keras.Model, rng: np.random.Generator) -> None:
    """Every weight to seeded random values (biases and statistics included), variances kept positive."""
    for variable in model.weights:
        value = rng.normal(0.0, 0.5, variable.shape).astype(variable.dtype)
        if "variance" in variable.path:
            value = np.abs(value) + 0.5
        variable.assign(value)


def inputs_for(model: keras.Model, rng: np.random.Generator) -> list[np.ndarray]:
    found = []
    for tensor in model.inputs:
        shape = (BATCH, *tensor.shape[1:])
        if "int" in str(tensor.dtype):
            found.append(rng.integers(0, 40, shape).astype("int32"))
        else:
            found.append(rng.normal(0.0, 1.0, shape).astype("float32"))
    return found


def layer_weights(model, prefix: str = "") -> dict[str, list]:
    """{layer path: its weights}, nested models entered."""
    found = {}
    for layer in model.layers:
        path = f"{prefix}{layer.name}"
        if isinstance(layer, keras.Model):
            found.update(layer_weights(layer, f"{path}/"))
        elif layer.weights:
            found[path] = list(layer.weights)
    return found


def write(name: str, model: keras.Model) -> None:
    rng = np.random.default_rng(7)
    randomise(model, rng)
    xs = inputs_for(model, rng)
    ys = model.predict(xs[0] if len(xs) == 1 else xs, verbose=0)
    ys = ys if isinstance(ys, list) else [ys]
    arrays = {f"x{i}": x for i, x in enumerate(xs)} | {f"y{i}": np.asarray(y) for i, y in enumerate(ys)}
    mapping, index = {}, 0
    for path, weights in layer_weights(model).items():
        mapping[path] = list(range(index, index + len(weights)))
        for weight in weights:
            arrays[f"w{index}"] = np.asarray(weight.numpy())
            index += 1
    DATA.mkdir(parents=True, exist_ok=True)
    model.save(DATA / f"{name}.keras")
    np.savez(DATA / f"{name}.npz", **arrays)
    info = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "layers": mapping}
    (DATA / f"{name}.json").write_text(json.dumps(info, indent=1) + "\n")


def main(names: list[str]) -> None:
    for name in names or FIXTURES:
        keras.utils.clear_session()
        write(name, FIXTURES[name]())
        print(f"wrote {DATA / name}.keras")


if __name__ == "__main__":
    main(sys.argv[1:])
