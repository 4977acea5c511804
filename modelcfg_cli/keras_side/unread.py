"""Weights a source holds but `clone --keep-weights` will not read: refused in one line, never reported
as "the source holds none".

A `.keras` zip or folder whose weights are `model.weights.npz` (Keras's `NpzIOStore`) keeps each layer's
variables as a pickled Python object array: `numpy.load(allow_pickle=True)` would run code from the file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from modelcfg_cli.document import WEIGHTS_FILE
from modelcfg_cli.errors import SourceError

NPZ_FILE = "model.weights.npz"


def refuse_unread_weights(doc) -> None:
    """A `SourceError` when `doc` (a read `ModelDocument`) keeps its weights in `model.weights.npz`
    instead of `model.weights.h5` (without `--weights FILE` to take them from)."""
    if doc.origin.weights_file:
        return
    npz = _npz_member(doc.data if doc.data is not None else doc.path)
    if npz is None:
        return
    if _pickled(npz):
        message = f"its weights ({NPZ_FILE}) are pickled Python objects, which will not be read (unpickling "
        raise SourceError(doc.label, message + "runs code from the file); nothing written")
    raise SourceError(doc.label, f"its weights are in {NPZ_FILE}, which is not read (only {WEIGHTS_FILE})")


def _npz_member(source) -> bytes | None:
    """The bytes of `model.weights.npz` in a `.keras` zip (path or bytes) or folder that has no
    `model.weights.h5`; None otherwise."""
    if source is None:
        return None
    if not isinstance(source, bytes) and Path(source).is_dir():
        folder = Path(source)
        npz = folder / NPZ_FILE
        return npz.read_bytes() if npz.is_file() and not (folder / WEIGHTS_FILE).is_file() else None
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    if not zipfile.is_zipfile(handle):
        return None
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
        names = archive.namelist()
        return archive.read(NPZ_FILE) if NPZ_FILE in names and WEIGHTS_FILE not in names else None


def _pickled(npz: bytes) -> bool:
    """Any member of the npz is an object array (seen in its .npy header, never unpickled)."""
    from modelcfg_cli.scan.payloads import zip_pickles

    try:
        return bool(zip_pickles(npz))
    except (zipfile.BadZipFile, OSError):
        return True  # not a readable npz: nothing in it will be read either
