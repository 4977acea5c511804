"""Code hidden in the bytes of a model's files: pickles (found by their opcodes, with the callables they
import), numpy arrays of Python objects (`.npy` and `.npz`: their data is a pickle), Python source, and
the `torch.save` zip inside a `TorchModuleWrapper` config. Read, never loaded.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import zipfile

from modelcfg_cli.findings import ERROR, Finding
from modelcfg_cli.scan.pickles import (
    MAX_PICKLE_BYTES,
    SNIFF_BYTES,
    NotAPickle,
    PickleReport,
    analyse,
    describe,
    is_pickle_head,
)

PYTHON_SUFFIXES = (".py", ".pyc", ".pyo", ".pyw")
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".dill", ".pt", ".pth")
NPY_MAGIC = b"\x93NUMPY"
OBJECT_DTYPE = re.compile(rb"'descr':\s*(?:'[|<>=]?O'|\[.*'[|<>=]?O)")
MAX_INNER_MEMBERS = 1000


def is_python_source(name: str) -> bool:
    return name.lower().endswith(PYTHON_SUFFIXES)


def python_source_finding(name: str) -> Finding:
    what = "compiled Python" if name.lower().endswith((".pyc", ".pyo")) else "Python source"
    message = f"{name} is {what} inside the model: code that the model's loader or its user may import"
    return Finding(ERROR, "", message, rule="python-source", member=name)


def looks_like_pickle(name: str, head: bytes) -> bool:
    """A pickle by its opcodes (any protocol) or by its name."""
    return is_pickle_head(head[:SNIFF_BYTES]) or name.lower().endswith(PICKLE_SUFFIXES)


def read_capped(opener, limit: int = MAX_PICKLE_BYTES + 1) -> bytes:
    with opener() as handle:
        return handle.read(limit)


def pickle_finding(name: str, data: bytes) -> Finding:
    """The `pickle` error for the member `name` whose bytes are `data`, with what it imports."""
    try:
        report = analyse(data)
    except NotAPickle:
        message = f"{name} is a pickle by its name (its bytes do not parse as one): loading it unpickles it"
        return _pickle(name, message, None)
    protocol = f"protocol {report.protocol}" if report.protocol >= 2 else "protocol 0/1"
    message = f"{name} is a pickle ({protocol}): unpickling it runs code; {describe(report)}"
    return _pickle(name, message + _truncated(report), report)


def _truncated(report: PickleReport) -> str:
    return f" (only the first {MAX_PICKLE_BYTES} bytes read)" if report.truncated else ""


def _pickle(name: str, message: str, report: PickleReport | None) -> Finding:
    imports = tuple(str(item) for item in report.imports) if report else None
    dangerous = tuple(str(item) for item in report.dangerous) if report else None
    return Finding(ERROR, "", message, rule="pickle", member=name, imports=imports, dangerous=dangerous)


def npy_data_offset(data: bytes) -> int | None:
    """Where the data of `.npy` bytes starts when their dtype holds Python objects, else None."""
    if not data.startswith(NPY_MAGIC) or len(data) < 10:
        return None
    size_bytes = 2 if data[6] == 1 else 4
    start = 8 + size_bytes + int.from_bytes(data[8 : 8 + size_bytes], "little")
    return start if OBJECT_DTYPE.search(data[8 + size_bytes : start]) else None


def npy_object_report(data: bytes) -> PickleReport | None:
    """For `.npy` bytes holding Python objects, what their pickle imports; None for plain arrays."""
    start = npy_data_offset(data)
    if start is None:
        return None
    try:
        return analyse(data[start:])
    except NotAPickle:
        return PickleReport()


def npy_finding(name: str, data: bytes) -> Finding | None:
    report = npy_object_report(data)
    if report is None:
        return None
    message = (
        f"{name} is a numpy array of Python objects: numpy.load(allow_pickle=True) unpickles it; "
        f"{describe(report)}"
    )
    return _pickle(name, message, report)


def zip_pickles(data_or_file) -> list[tuple[str, PickleReport | None]]:
    """(member, report) for every pickle and object array in a zip (`bytes` or a binary file); a report
    of None for a pickle by name that does not parse."""
    source = io.BytesIO(data_or_file) if isinstance(data_or_file, bytes) else data_or_file
    found = []
    with zipfile.ZipFile(source) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()][:MAX_INNER_MEMBERS]
        for info in infos:
            with archive.open(info) as handle:
                head = handle.read(SNIFF_BYTES)
            if head.startswith(NPY_MAGIC):
                if npy_data_offset(head) is not None:  # plain arrays are not read further
                    found.extend(_inner_report(info.filename, head, archive, info))
            elif looks_like_pickle(info.filename, head):
                found.extend(_inner_report(info.filename, head, archive, info))
    return found


def _inner_report(name: str, head: bytes, archive: zipfile.ZipFile, info) -> list:
    data = read_capped(lambda: archive.open(info))
    if head.startswith(NPY_MAGIC):
        report = npy_object_report(data)
        return [(name, report)] if report is not None else []
    try:
        return [(name, analyse(data))]
    except NotAPickle:
        return [(name, None)]


def describe_inner(found: list[tuple[str, PickleReport | None]]) -> str:
    """`archive/data.pkl (imports torch._utils._rebuild_tensor_v2, ...)`, for each of at most five."""
    parts = [f"{name} ({describe(report) if report else 'by its name'})" for name, report in found[:5]]
    more = f", and {len(found) - 5} more" if len(found) > 5 else ""
    return "; ".join(parts) + more


def torch_module_text(text: str) -> str:
    """What the base64 `torch.save` bytes of a TorchModuleWrapper hold and import."""
    try:
        data = base64.b64decode(text)
    except (binascii.Error, ValueError):
        return f"{len(text)} characters that are not base64"
    if data.startswith(b"PK\x03\x04"):
        try:
            found = zip_pickles(data)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            return f"a damaged zip archive of {len(data)} bytes"
        inside = f": {describe_inner(found)}" if found else ""
        return f"a torch.save zip archive of {len(data)} bytes{inside}"
    try:
        report = analyse(data)
    except NotAPickle:
        return f"{len(data)} bytes that are neither a zip nor a pickle"
    return f"a pickle of {len(data)} bytes that {describe(report)}"


def dangerous_of(found: list[tuple[str, PickleReport | None]]) -> tuple[str, ...]:
    return tuple(str(item) for _, report in found if report for item in report.dangerous)


def imports_of(found: list[tuple[str, PickleReport | None]]) -> tuple[str, ...]:
    return tuple(str(item) for _, report in found if report for item in report.imports)
