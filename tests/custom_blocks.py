"""A registered layer with sub-layers held as attributes (as keras_hub's TransformerLayer holds them), for
`clone --import tests.custom_blocks`."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable("modelcfg_tests")
class AttentionBlock(keras.layers.Layer):
    """Self-attention, a residual LayerNorm and a feed-forward Dense, built from the input width."""

    def __init__(self, heads: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.heads = heads

    def build(self, input_shape):
        width = input_shape[-1]
        self._attention = keras.layers.MultiHeadAttention(self.heads, width // self.heads, name="attn")
        self._attention.build(input_shape, input_shape)
        self._norm = keras.layers.LayerNormalization(name="norm")
        self._norm.build(input_shape)
        self._feed_forward = keras.layers.Dense(width, name="ff")
        self._feed_forward.build(input_shape)

    def call(self, x):
        return self._feed_forward(self._norm(x + self._attention(x, x)))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "heads": self.heads}
