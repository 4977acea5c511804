"""What `clone --keep-weights` did with every stored tensor: kept, re-initialised (and why), dropped."""

from __future__ import annotations

from dataclasses import dataclass, field

UNEXPECTED = "lost: no rule asked for it"
NEW_LAYER, NOT_FOUND = "new layer (not in the source)", "its stored weights were not found"


@dataclass
class WeightReport:
    """Tensor counts over the source's layers and, per layer, what happened when not everything was kept.

    `stored`: tensors the source holds for its layers; `carried`: those now in the clone; `kept`: paths of
    clone layers that received source tensors; `reinitialised` / `dropped`: (layer path, reason)."""

    stored: int = 0
    carried: int = 0
    kept: list[str] = field(default_factory=list)
    reinitialised: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cast: int = 0  # carried tensors equal to the stored ones once cast to a dtype the rules asked for
    causes: dict[str, str] = field(default_factory=dict)  # path -> "by the rules" | "allowed ..." | ...

    def add_reinitialised(self, path: str, why: str, cause: str | None = None) -> None:
        self.reinitialised.append((path, why))
        if cause:
            self.causes[path] = cause

    def add_dropped(self, path: str, why: str, cause: str | None = None) -> None:
        self.dropped.append((path, why))
        if cause:
            self.causes[path] = cause

    @property
    def lost(self) -> list[str]:
        """Paths whose stored weights are lost with no rule causing it and no `--allow-fresh`."""
        return [path for path, _ in self.reinitialised + self.dropped if self.causes.get(path) == UNEXPECTED]

    def lines(self) -> list[str]:
        """The report: one summary line, then one line per re-initialised or dropped layer (with its
        cause when judged), then notes."""
        layers = plural(len(self.kept), "layer")
        head = f"weights: kept {self.carried:,} of {self.stored:,} tensors in {layers}"
        if self.cast:
            head += f" ({self.cast:,} cast to the new dtype)"
        if self.reinitialised or self.dropped:
            head += f"; {len(self.reinitialised)} re-initialised, {len(self.dropped)} dropped"
        if self.lost:
            head += f"; {len(self.lost)} lost"
        lines = [head]
        lines += [f"  re-initialised {path}: {why}{self._cause(path)}" for path, why in self.reinitialised]
        lines += [f"  dropped {path}: {why}{self._cause(path)}" for path, why in self.dropped]
        lines += [f"  {note}" for note in self.notes]
        return lines

    def _cause(self, path: str) -> str:
        cause = self.causes.get(path)
        return f"; {cause}" if cause else ""


def shapes_text(shapes: list[tuple]) -> str:
    """`[4x3, 3]`: shapes as the report writes them."""
    return "[" + ", ".join("x".join(map(str, s)) or "scalar" for s in shapes) + "]"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"
