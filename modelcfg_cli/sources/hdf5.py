"""A legacy full-model `.h5`: the root attributes `model_config`, `keras_version`, `backend`,
`training_config` (Keras's legacy H5 format)."""

from __future__ import annotations

from modelcfg_cli.document import type_name
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.raw import RawModel, path_of
from modelcfg_cli.sources.text import parse_json

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
HDF5_USERBLOCK_OFFSETS = (0, 512, 1024, 2048, 4096)


def is_hdf5(handle) -> bool:
    """True when the binary stream holds the HDF5 signature at one of the offsets HDF5 allows."""
    for offset in HDF5_USERBLOCK_OFFSETS:
        handle.seek(offset)
        if handle.read(8) == HDF5_MAGIC:
            return True
    return False


def read_hdf5(label: str, file) -> RawModel:
    """Read the model config and metadata attributes of a legacy `.h5` (a path or a stream)."""
    import h5py  # h5py is light; only HDF5 sources need it

    try:
        handle = h5py.File(file, "r")
    except (OSError, ValueError) as exc:
        raise SourceError(label, f"not a readable HDF5 file ({exc})") from exc
    with handle:
        attrs = handle.attrs
        if "model_config" not in attrs:
            if "layer_names" in attrs or "model_weights" in handle or "vars" in handle:
                raise SourceError(
                    label, "HDF5 file holds weights only (no model_config attribute): not a full model"
                )
            raise SourceError(label, "HDF5 file has no model_config attribute: not a Keras model")
        config_text = _attr_text(label, attrs["model_config"])
        metadata = {
            key: _attr_text(label, attrs[key]) for key in ("keras_version", "backend") if key in attrs
        }
        if "training_config" in attrs:
            metadata["training_config"] = _attr_text(label, attrs["training_config"])
    payload = parse_json(f"{label}:model_config", config_text)
    if not isinstance(payload, dict):
        raise SourceError(label, f"model_config must be a JSON object, got {type_name(payload)}")
    return RawModel(label, "h5", payload, metadata, path_of(file))


def _attr_text(label: str, value) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(label, "an HDF5 attribute is not UTF-8 text") from exc
    if isinstance(value, str):
        return value
    raise SourceError(label, f"an HDF5 attribute holds {type(value).__name__}, expected text")
