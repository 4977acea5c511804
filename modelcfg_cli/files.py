"""Files the tool writes: atomic writes through a temp file beside the target, and output-path checks
(never the input, never through a symlink), and the data format an output name implies."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from modelcfg_cli.errors import UsageError


def write_atomic(path: str, data: bytes | str, protect: tuple[str | None, ...] = ()) -> None:
    """Write `data` to `path` through a temp file in the same folder, then rename.

    Refuses to overwrite any path in `protect` (the inputs) or to write through a symlink.
    """
    check_output_path(path, protect)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temp = temp_beside(path)
    try:
        temp.write_bytes(payload)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise UsageError(path, f"cannot write the file ({exc.strerror or exc})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def temp_beside(path: str, suffix: str = ".tmp") -> Path:
    """A new empty file next to `path` (so renaming it onto `path` is atomic), with the usual mode."""
    target = Path(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    except OSError as exc:
        raise UsageError(path, f"cannot write in {str(target.parent)!r} ({exc.strerror or exc})") from None
    os.close(fd)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(name, 0o666 & ~mask)
    return Path(name)


def check_output_path(path: str, protect: tuple[str | None, ...] = ()) -> None:
    """Refuse an output that is an input, a symlink, a folder, or in a folder that does not exist."""
    target = Path(path)
    if target.is_symlink():
        raise UsageError(path, "output path is a symlink; refusing to write through it")
    if target.is_dir():
        raise UsageError(path, "output path is a directory")
    if not target.parent.is_dir():
        raise UsageError(path, f"output folder {str(target.parent)!r} does not exist")
    temp_beside(path).unlink()  # the folder takes a new file: known before any long work
    for source in protect:
        if source and source != "-" and Path(source).exists() and _same_file(source, path):
            raise UsageError(path, "output would overwrite the input; choose another path")


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(b).exists() and os.path.samefile(a, b)
    except OSError:
        return False


DATA_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def format_by_extension(path: str | None, suffixes: dict[str, str]) -> str | None:
    """The format `suffixes` gives the extension of `path` (any case), or None."""
    return suffixes.get(Path(path).suffix.lower()) if path else None


def data_format(output: str | None, fmt: str | None) -> str:
    """`fmt`, else the data format OUTPUT's extension names (json by default); a contradiction is refused."""
    implied = format_by_extension(output, DATA_SUFFIXES)
    if fmt and implied and fmt != implied:
        raise UsageError(output, f"--format {fmt} contradicts the extension (a {implied} file name)")
    return fmt or implied or "json"
