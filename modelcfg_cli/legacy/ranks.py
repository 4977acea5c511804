"""The rank (number of axes, batch included) of each layer's output in a legacy functional config.

TensorFlow op layers store no shapes, and several of them map to a Keras 3 layer only for one input rank
(`x[:, 1:]` is a `Cropping1D` on a sequence, not on a vector), so the op upgrade needs the ranks. They
are followed from the InputLayers through the layers whose output rank is known from their class and
config; anything else (custom layers, Lambda, nested models) is "unknown" (None).
"""

from __future__ import annotations

SAME_RANK = frozenset(
    {
        "Activation", "ActivityRegularization", "Add", "AlphaDropout", "Average", "AveragePooling1D",
        "AveragePooling2D", "AveragePooling3D", "BatchNormalization", "Concatenate", "Conv1D",
        "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "Cropping1D",
        "Cropping2D", "Cropping3D", "Dense", "DepthwiseConv1D", "DepthwiseConv2D", "Dropout", "ELU",
        "GaussianDropout", "GaussianNoise", "GroupNormalization", "LayerNormalization", "LeakyReLU",
        "Masking", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "Maximum", "Minimum", "Multiply",
        "Normalization", "PReLU", "ReLU", "Rescaling", "SeparableConv1D", "SeparableConv2D", "Softmax",
        "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "Subtract", "ThresholdedReLU",
        "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    }
)  # fmt: skip
RECURRENT = frozenset({"LSTM", "GRU", "SimpleRNN", "RNN", "CuDNNLSTM", "CuDNNGRU"})


def input_rank(config: dict) -> int | None:
    """An InputLayer's rank, from its (batch_)input shape."""
    shape = config.get("batch_input_shape") or config.get("batch_shape")
    return len(shape) if isinstance(shape, list) else None


def output_rank(class_name: str, config: dict, ranks: list[int | None]) -> int | None:
    """The rank of a built-in layer's first output, given its inputs' ranks (None: unknown)."""
    first = ranks[0] if ranks else None
    if class_name == "InputLayer":
        return input_rank(config)
    if class_name in SAME_RANK:
        return first
    if class_name == "Flatten":
        return 2
    if class_name.startswith("Global") and "Pooling" in class_name:
        return first if config.get("keepdims") else 2
    if class_name == "Reshape" and isinstance(config.get("target_shape"), list):
        return len(config["target_shape"]) + 1
    if class_name == "Permute":
        return first
    if class_name == "RepeatVector":
        return 3
    if class_name == "Embedding":
        return None if first is None else first + 1
    if class_name in RECURRENT:
        return 3 if config.get("return_sequences") else 2
    if class_name in ("Bidirectional", "TimeDistributed"):
        inner = config.get("layer") or {}
        if class_name == "TimeDistributed" or first is None:
            return None
        return output_rank(inner.get("class_name", ""), inner.get("config") or {}, ranks)
    return None
