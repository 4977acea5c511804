"""`scan --weights FILE` (and the weights file of a `model.json` pair folder): a weights file checked by
its magic bytes and its datasets' dtypes, nothing unpickled. A pickle in disguise (`weights.h5` that is
really a pickle, of any protocol) is a `pickle` error listing what it imports; a file that is not HDF5,
or datasets of Python objects (not tensors: Keras never writes them), are `unexpected-member` errors,
as for a `.keras` file's `model.weights.h5`. Findings name the weights file.
"""

from __future__ import annotations

from pathlib import Path

from modelcfg_cli.document import ModelDocument
from modelcfg_cli.errors import SourceError
from modelcfg_cli.findings import ERROR, Finding
from modelcfg_cli.scan.archive import sniff
from modelcfg_cli.scan.payloads import pickle_finding
from modelcfg_cli.scan.pickles import MAX_PICKLE_BYTES, SNIFF_BYTES, is_pickle_head
from modelcfg_cli.sources.pair import find_pair

SHOWN = 5


def weights_to_scan(doc: ModelDocument, given: str | None) -> str | None:
    """The weights file to check beside `doc`'s config: `given`, else a pair folder's weights file."""
    if given:
        return given
    if doc.origin.format == "json+weights" and doc.path:
        pair = find_pair(Path(doc.path))
        return str(pair[1]) if pair else None
    return None


def scan_weights_file(path: str) -> list[Finding]:
    """Findings for the weights file at `path`; a `SourceError` when it cannot be read at all."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
            kind = sniff(head)
            if is_pickle_head(head):
                return [pickle_finding(path, head + handle.read(MAX_PICKLE_BYTES))]
    except OSError as exc:
        raise SourceError(path, f"cannot read the weights file ({exc.strerror or exc})") from exc
    import h5py

    if kind != "HDF5 file" and not h5py.is_hdf5(path):
        return [_finding(path, f"is not an HDF5 file ({kind or 'unknown'}): not a Keras weights file")]
    try:
        objects = _object_datasets(h5py, path)
    except OSError as exc:
        return [_finding(path, f"cannot be read as HDF5 ({exc})")]
    if not objects:
        return []
    more = ", ..." if len(objects) > SHOWN else ""
    listed = ", ".join(objects[:SHOWN]) + more
    return [
        _finding(path, f"holds datasets of Python objects, not tensors (Keras never writes them): {listed}")
    ]


def _object_datasets(h5py, path: str) -> list[str]:
    """HDF5 paths of the datasets whose dtype holds Python objects (variable-length, references)."""
    found: list[str] = []
    with h5py.File(path, "r") as handle:
        handle.visititems(
            lambda name, item: found.append(name) if hasattr(item, "dtype") and item.dtype.hasobject else None
        )
    return sorted(found)


def _finding(path: str, message: str, rule: str = "unexpected-member") -> Finding:
    return Finding(ERROR, "", f"{path} {message}", rule=rule, member=path)
