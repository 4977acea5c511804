"""What `clone --keep-weights` did with every stored tensor: kept, re-initialised (and why), dropped."""

from __future__ import annotations

from dataclasses import dataclass, field


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

    def lines(self) -> list[str]:
        """The report: one summary line, then one line per re-initialised or dropped layer, then notes."""
        layers = plural(len(self.kept), "layer")
        head = f"weights: kept {self.carried:,} of {self.stored:,} tensors in {layers}"
        if self.reinitialised or self.dropped:
            head += f"; {len(self.reinitialised)} re-initialised, {len(self.dropped)} dropped"
        lines = [head]
        lines += [f"  re-initialised {path}: {why}" for path, why in self.reinitialised]
        lines += [f"  dropped {path}: {why}" for path, why in self.dropped]
        lines += [f"  {note}" for note in self.notes]
        return lines


def shapes_text(shapes: list[tuple]) -> str:
    """`[4x3, 3]`: shapes as the report writes them."""
    return "[" + ", ".join("x".join(map(str, s)) or "scalar" for s in shapes) + "]"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"
