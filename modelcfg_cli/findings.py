"""`Finding`: one problem found in a config, shared by validate, scan, policies, rules and clone;
`FileReport`: the findings of one source."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """A problem at a JSON pointer, inside a layer when `layer` is set.

    `rule` names the scan rule that found it, `policy` the team policy it breaks, and `member` the file
    of a `.keras` archive (or model folder) it is about, when it is about one; `imports` and `dangerous`
    list what a pickle it found would import.
    """

    severity: str
    pointer: str
    message: str
    layer: str | None = None
    class_name: str | None = None
    rule: str | None = None
    policy: str | None = None
    member: str | None = None
    imports: tuple[str, ...] | None = None  # what a pickle would import (scan)
    dangerous: tuple[str, ...] | None = None  # the imports that run commands or load code

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        """`layers[12] conv1_conv (Conv2D): message [rule]`, or `pointer: message` outside a layer (an
        archive member's message names the member)."""
        where = self.pointer or "/"
        if self.layer:
            where = f"{_short_pointer(self.pointer)} {self.layer} ({self.class_name})"
        tag = self.policy or self.rule
        text = self.message if self.member and not self.layer else f"{where}: {self.message}"
        return text + (f" [{tag}]" if tag else "")


def _short_pointer(pointer: str) -> str:
    """`/config/layers/12/config/filters` -> `layers[12]` (the layer part of a pointer)."""
    parts = [p for p in pointer.split("/") if p]
    out: list[str] = []
    for index, part in enumerate(parts):
        # `/config/N` is a layer of a legacy list-style Sequential config
        if part in ("layers", "config") and index + 1 < len(parts) and parts[index + 1].isdigit():
            out.append(f"layers[{parts[index + 1]}]")
    return ".".join(out) or pointer


@dataclass(frozen=True)
class FileReport:
    """What `validate` or `scan` found in one source; `read_error` is set when the source could not be
    read. `scan` sets the digest of what it read and counts the findings suppressions dropped."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    read_error: str | None = None
    sha256: str | None = None
    suppressed: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        return self.read_error is None and not self.errors


def summary(reports: list[FileReport]) -> dict:
    """Counts over all files."""
    read = [r for r in reports if r.read_error is None]
    return {
        "files": len(reports),
        "valid": sum(r.valid for r in read),
        "invalid": sum(not r.valid for r in read),
        "unreadable": len(reports) - len(read),
        "errors": sum(len(r.errors) for r in read),
        "warnings": sum(len(r.warnings) for r in read),
    }
