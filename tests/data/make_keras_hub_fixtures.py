"""Write the keras_hub fixtures of the scan tests (run by hand; the outputs are committed).

keras-hub pulls TensorFlow in as a dependency, which this project never imports, so it is not a test
dependency. To regenerate, install it beside the project's Keras without its dependencies:

    pip install --target /tmp/khub --no-deps keras-hub regex tokenizers sentencepiece
    KERAS_BACKEND=numpy PYTHONPATH=/tmp/khub python tests/data/make_keras_hub_fixtures.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

HERE = Path(__file__).parent


def main() -> None:
    import keras
    import keras_hub

    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=20,
        num_layers=1,
        num_heads=2,
        hidden_dim=8,
        intermediate_dim=16,
        max_sequence_length=8,
    )
    tokens = keras.Input((8,), dtype="int32", name="tokens")
    x = keras_hub.layers.TokenAndPositionEmbedding(20, 8, 8, name="embed")(tokens)
    x = keras_hub.layers.TransformerEncoder(16, 2, name="encoder")(x)
    x = keras_hub.layers.RotaryEmbedding(name="rotary")(x)
    functional = keras.Model(tokens, keras.layers.Dense(2, name="head")(x), name="hub_layers")
    versions = {"keras": keras.version(), "keras_hub": keras_hub.__version__}
    for name, model in (("keras_hub_bert_backbone", backbone), ("keras_hub_layers", functional)):
        payload = {**json.loads(model.to_json()), "generated_by": versions}
        (HERE / f"{name}.json").write_text(json.dumps(payload, indent=1) + "\n")


if __name__ == "__main__":
    main()
