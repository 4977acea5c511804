"""Write the tiny keras-hub presets the README's preset examples read (keras-hub installed, as by
`make install`): `python examples/build_presets.py OUT_DIR` writes OUT_DIR/gpt2 (one weights file),
OUT_DIR/gpt2_sharded (the same backbone sharded by `save_to_preset(max_shard_size=...)`) and OUT_DIR/bert
(a text classifier preset: tokenizer, preprocessor, task and vocabulary)."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")


def main(out: Path) -> None:
    warnings.filterwarnings("ignore")
    import keras
    import keras_hub

    keras.utils.set_random_seed(1)
    gpt2 = keras_hub.models.GPT2Backbone(
        vocabulary_size=50,
        num_layers=2,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        max_sequence_length=16,
    )
    gpt2.save_to_preset(str(out / "gpt2"))
    gpt2.save_to_preset(str(out / "gpt2_sharded"), max_shard_size=4e-6)
    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "cat", "dog"]
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=vocabulary)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(tokenizer, sequence_length=8)
    bert = keras_hub.models.BertBackbone(
        vocabulary_size=9, num_layers=2, num_heads=2, hidden_dim=8, intermediate_dim=16, max_sequence_length=8
    )
    keras_hub.models.BertTextClassifier(bert, num_classes=2, preprocessor=preprocessor).save_to_preset(
        str(out / "bert")
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
