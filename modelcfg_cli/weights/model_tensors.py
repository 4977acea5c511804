"""Where `diff --weights` reads a model's tensors: a weights file given apart from the model
(`--weights-a/-b FILE`, kept as `origin.weights_file`), the weights file of a `model.json` pair
folder, or the source itself; and the check that a given file's tensors belong to the model. A weights
file written by tf.keras 2.13-2.15 keys layers by class and counter: it is placed through the config and
read whole (other files are read in slices)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from modelcfg_cli.document import ModelDocument
from modelcfg_cli.errors import SourceError
from modelcfg_cli.sources.pair import find_pair
from modelcfg_cli.weights.stored import (
    StoredTensor,
    checked_weights_file,
    open_tensors,
    read_weights,
    read_weights_file,
)


def weights_source(doc: ModelDocument) -> tuple[str, dict | None]:
    """The path to read `doc`'s tensors from, and the model config to place a legacy file's nested
    models by (None when the file holds its own)."""
    given = doc.origin.weights_file
    if given:
        return checked_weights_file(given), doc.envelope
    if doc.path is None:
        raise SourceError(doc.label, "weights cannot be read from stdin; give a file or folder")
    pair = find_pair(Path(doc.path)) if doc.origin.format == "json+weights" else None
    if pair is not None:
        return str(pair[1]), doc.envelope
    return doc.path, None


@contextmanager
def tensors_of(doc: ModelDocument) -> Iterator[list[StoredTensor] | None]:
    """`doc`'s stored tensors, open for reading (None when it stores none). Layouts keyed by class and
    counter or by checkpoint path (tf.keras files, SavedModel folders) are placed through the config and
    read whole; the others are read in slices."""
    path, envelope = weights_source(doc)
    if envelope is not None and _tfkeras_file(path, doc.keras_version):
        yield _in_memory(read_weights_file(path, envelope, keras_version=doc.keras_version))
        return
    if doc.written_by_tf_keras and not doc.origin.weights_file:
        yield _in_memory(read_weights(path)) or None
        return
    with open_tensors(path, envelope) as tensors:
        yield tensors


def _in_memory(arrays: dict) -> list[StoredTensor]:
    return [
        StoredTensor(layer, index, f"{layer}/{index}", array)
        for layer, layer_arrays in arrays.items()
        for index, array in enumerate(layer_arrays)
    ]


def _tfkeras_file(path: str, keras_version: str | None) -> bool:
    """A standalone `.h5` weights file in the `layers/` layout that tf.keras 2.13-2.15 wrote."""
    import h5py

    from modelcfg_cli.weights.tf.tfkeras_zip import is_tfkeras_weights

    if Path(path).is_dir() or not h5py.is_hdf5(path):
        return False
    with h5py.File(path, "r") as handle:
        return "layers" in handle and is_tfkeras_weights(handle, keras_version)


def check_fit(doc: ModelDocument, tensors) -> None:
    """Raise when a given weights file holds tensors for a layer `doc` does not have."""
    given = doc.origin.weights_file
    if not given:
        return
    layers = {ref.path_str for ref in doc.layers()}
    strangers = sorted({tensor.layer for tensor in tensors if tensor.layer not in layers})
    if strangers:
        more = f" (and {len(strangers) - 1} more)" if len(strangers) > 1 else ""
        raise SourceError(
            given, f"its tensors do not fit {doc.label}: layer {strangers[0]!r} is not in the model{more}"
        )
    if not tensors:
        raise SourceError(given, "holds no weights")
