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

LEGACY_KWARGS = frozenset(
    {
        "input_dim",
        "input_length",
        "batch_size",
        "consume_less",
        "mode",
        "time_major",
        "groups",
        "implementation",
        "mode_type",
        "dot_axes",
        "concat_axis",
        "output_shape",
        "output_shape_type",
        "output_mask",
        "output_mask_type",
    }
)

INITIALIZERS = {
    "zero": "Zeros",
    "one": "Ones",
    "uniform": "RandomUniform",
    "normal": "RandomNormal",
    "identity": "Identity",
}
