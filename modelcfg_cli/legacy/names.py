"""The name tables of the legacy upgrade: Keras 1 classes and arguments and what Keras 3 calls them."""

from __future__ import annotations

CLASS_RENAMES = {
    "Convolution1D": "Conv1D",
    "Convolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
    "AtrousConvolution1D": "Conv1D",
    "AtrousConvolution2D": "Conv2D",
    "Deconvolution2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose",
    "SeparableConvolution2D": "SeparableConv2D",
    "CuDNNLSTM": "LSTM",
    "CuDNNGRU": "GRU",
}

MERGE_MODES = {
    "sum": "Add",
    "mul": "Multiply",
    "concat": "Concatenate",
    "ave": "Average",
    "max": "Maximum",
    "dot": "Dot",
    "cos": "Dot",
}

KWARG_RENAMES = {
    "nb_filter": "filters",
    "border_mode": "padding",
    "subsample": "strides",
    "subsample_length": "strides",
    "filter_length": "kernel_size",
    "atrous_rate": "dilation_rate",
    "dim_ordering": "data_format",
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "U_constraint": "recurrent_constraint",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
    "bias": "use_bias",
    "output_dim": "units",
    "pool_length": "pool_size",
    "stride": "strides",
    "beta_init": "beta_initializer",
    "gamma_init": "gamma_initializer",
}

PER_CLASS_RENAMES = {
    "Dropout": {"p": "rate"},
    "SpatialDropout1D": {"p": "rate"},
    "SpatialDropout2D": {"p": "rate"},
    "SpatialDropout3D": {"p": "rate"},
    "GaussianDropout": {"p": "rate"},
    "AlphaDropout": {"p": "rate"},
    "GaussianNoise": {"sigma": "stddev"},
    "Embedding": {
        "output_dim": "output_dim",
        "init": "embeddings_initializer",
        "W_regularizer": "embeddings_regularizer",
        "W_constraint": "embeddings_constraint",
    },
    "Flatten": {"dim_ordering": "data_format"},
    "InputLayer": {"input_dtype": "dtype"},
}

LEGACY_MODEL_MODULES = frozenset({"functional", "sequential", "training"})

BASE_KWARGS = frozenset({"name", "trainable", "dtype", "autocast", "input_shape", "batch_input_shape"})

# Arguments Keras 3 no longer has, each with its default in the Keras (1, 2 or tf.keras) that had it:
# dropping the default loses nothing, dropping any other value is a warning (a failure with --strict).
REMOVED_KWARGS = {
    "input_dim": None,  # the shape arguments become the InputLayer (first layer) or were ignored
    "input_length": None,
    "batch_size": None,
    "mode": 0,  # Keras 1 BatchNormalization (0: feature-wise); a Merge's mode picks its Keras 3 class
    "time_major": False,  # tf.keras RNN layers: inputs as (time, batch, ...)
    "groups": 1,  # tf.keras DepthwiseConv2D inherited Conv2D's `groups`
    "mode_type": "raw",  # Keras 1 Merge/Lambda: how `mode` was serialized
    "dot_axes": -1,  # Keras 1 Merge: taken over as Dot's `axes` when mode is dot/cos
    "concat_axis": -1,  # Keras 1 Merge: taken over as Concatenate's `axis` when mode is concat
    "output_shape": None,  # Keras 1 Merge: a computed output shape
    "output_shape_type": "raw",
    "output_mask": None,
    "output_mask_type": "raw",
}

# Base arguments most Keras 3 layers still take but a few (SpatialDropout1D/2D/3D) do not, with defaults.
BASE_DEFAULTS = {"trainable": True}

# Removed arguments that only chose how fast the same result was computed: any value drops silently.
SPEED_ONLY = frozenset({"consume_less", "implementation"})

INITIALIZERS = {
    "zero": "Zeros",
    "one": "Ones",
    "uniform": "RandomUniform",
    "normal": "RandomNormal",
    "identity": "Identity",
}
