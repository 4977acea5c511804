"""Tiny keras-hub presets, written by keras-hub itself (`save_to_preset`), for the preset tests:
a GPT2 backbone in one weights file and the same backbone sharded into seven files, and a BERT text
classifier preset with its tokenizer, preprocessor, task config, task weights and vocabulary."""

from __future__ import annotations

from pathlib import Path

GPT2 = {
    "vocabulary_size": 50,
    "num_layers": 2,
    "num_heads": 2,
    "hidden_dim": 16,
    "intermediate_dim": 32,
    "max_sequence_length": 16,
}
BERT = {
    "vocabulary_size": 9,
    "num_layers": 2,
    "num_heads": 2,
    "hidden_dim": 8,
    "intermediate_dim": 16,
    "max_sequence_length": 8,
}
VOCABULARY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "cat", "dog"]
SHARD_GB = 4e-6  # about 4 KiB: the GPT2 backbone's 22 KB of weights go into 7 shards


def write_presets(folder: Path) -> dict[str, Path]:
    """{"gpt2", "gpt2_sharded", "bert"}: preset folders under `folder`."""
    import keras_hub

    backbone = keras_hub.models.GPT2Backbone(**GPT2)
    paths = {"gpt2": folder / "gpt2", "gpt2_sharded": folder / "gpt2_sharded", "bert": folder / "bert"}
    backbone.save_to_preset(str(paths["gpt2"]))
    backbone.save_to_preset(str(paths["gpt2_sharded"]), max_shard_size=SHARD_GB)
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=VOCABULARY)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(tokenizer, sequence_length=8)
    bert = keras_hub.models.BertBackbone(**BERT)
    task = keras_hub.models.BertTextClassifier(bert, num_classes=2, preprocessor=preprocessor)
    task.save_to_preset(str(paths["bert"]))
    return paths


def backbone_arrays(preset: str | Path) -> list:
    """Every weight of the backbone keras-hub loads from `preset`, as numpy arrays in `weights` order."""
    import keras_hub

    backbone = keras_hub.models.Backbone.from_preset(str(preset))
    return [weight.numpy() for weight in backbone.weights]
