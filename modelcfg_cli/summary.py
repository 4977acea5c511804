"""A readable summary of a model as plain data: counts by class and the fields that matter per layer."""

from __future__ import annotations

from collections import Counter

from modelcfg_cli.document import LayerRef, ModelDocument

KEY_FIELDS = (
    "units",
    "filters",
    "kernel_size",
    "strides",
    "pool_size",
    "padding",
    "activation",
    "rate",
    "axis",
    "num_heads",
    "key_dim",
    "input_dim",
    "output_dim",
    "target_shape",
    "batch_shape",
    "batch_input_shape",
    "merge_mode",
    "return_sequences",
    "size",
    "cropping",
    "dilation_rate",
    "groups",
    "depth_multiplier",
    "momentum",
    "epsilon",
    "n",
    "dims",
)


def dtype_policy_name(config: dict) -> str | None:
    """The dtype policy's name whether stored as a string or a serialized policy."""
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        inner = dtype.get("config")
        if isinstance(inner, dict) and isinstance(inner.get("name"), str):
            return inner["name"]
        return str(dtype.get("class_name"))
    return dtype if isinstance(dtype, str) else None


def layer_row(ref: LayerRef) -> dict:
    """One layer as a flat record for tables and JSON."""
    config = ref.config
    fields = {key: config[key] for key in KEY_FIELDS if key in config and config[key] is not None}
    wrapped = config.get("layer")
    if isinstance(wrapped, dict) and "class_name" in wrapped:
        fields["layer"] = wrapped["class_name"]
    return {
        "path": ref.path_str,
        "name": ref.name,
        "class_name": ref.class_name,
        "depth": ref.depth,
        "wrapped": ref.wrapped,
        "inbound": ref.inbound_layers,
        "fields": fields,
        "trainable": config.get("trainable", True),
        "dtype_policy": dtype_policy_name(config),
    }


def saved_by(doc: ModelDocument) -> str:
    """`tf.keras` for what only tf.keras 2.x wrote (SavedModel folders, 2.x `.keras` zips, TF.js models
    converted from them), `tfjs` for a model TensorFlow.js wrote itself, else `keras`."""
    if str(doc.keras_version or "").startswith("tfjs"):
        return "tfjs"
    return "tf.keras" if doc.written_by_tf_keras else "keras"


def summarize(doc: ModelDocument, depth: int | None = None) -> dict:
    """Model class, name, versions, layer counts by class and one row per layer (and the class labels a
    Teachable Machine export's metadata.json names)."""
    refs = [ref for ref in doc.layers() if depth is None or ref.depth <= depth]
    counts = Counter(ref.class_name for ref in refs if not ref.wrapped)
    return {
        "source": doc.label,
        "class_name": doc.class_name,
        "name": doc.name,
        "keras_version": doc.keras_version,
        "saved_by": saved_by(doc),
        "format": doc.origin.format,
        "date_saved": doc.metadata.get("date_saved"),
        "layer_count": sum(counts.values()),
        "counts": dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))),
        "layers": [layer_row(ref) for ref in refs],
        **({"labels": doc.metadata["labels"]} if doc.metadata.get("labels") else {}),
    }
