"""Carry a source model's weights into a freshly built clone, by layer path (never by position).

A layer keeps its source arrays when its path and every weight shape match; it is re-initialised when it
is new or a shape changed (the report says which); source layers the clone lacks are dropped. Keras 1
recurrent layers stored one array per gate (W_i, U_i, b_i, ...): they are joined into Keras 3's
kernel / recurrent_kernel / bias.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

KERAS1_GATES = {12: ("i", "c", "f", "o"), 9: ("z", "r", "h")}
KERAS3_GATES = {12: ("i", "f", "c", "o"), 9: ("z", "r", "h")}


@dataclass
class WeightReport:
    """What happened to every layer's weights."""

    kept: list[str] = field(default_factory=list)
    reinitialised: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [
            f"weights: {len(self.kept)} layer(s) kept, {len(self.reinitialised)} re-initialised, "
            f"{len(self.dropped)} dropped"
        ]
        lines += [f"  re-initialised {path}: {why}" for path, why in self.reinitialised]
        lines += [f"  dropped {path}: not in the clone" for path in self.dropped]
        return lines


def transfer_weights(model, source_weights: dict[str, list[np.ndarray]]) -> WeightReport:
    """Assign `source_weights` ({layer path: arrays}) into `model`'s layers with the same path."""
    report = WeightReport()
    used: set[str] = set()
    for path, layer in _weighted_layers(model, ()):
        arrays = source_weights.get(path)
        if arrays is None:
            report.reinitialised.append((path, "new layer (not in the source)"))
            continue
        used.add(path)
        wanted = [tuple(w.shape) for w in layer.weights]
        arrays = _keras1_gates(arrays, len(wanted))
        got = [tuple(a.shape) for a in arrays]
        if got != wanted:
            report.reinitialised.append((path, f"shape changed: {_shapes(got)} -> {_shapes(wanted)}"))
            continue
        layer.set_weights(arrays)
        report.kept.append(path)
    report.dropped = sorted(set(source_weights) - used)
    return report


def _weighted_layers(model, prefix: tuple[str, ...]):
    """(path, layer) for every layer with weights; nested models are entered, not assigned whole."""
    for layer in getattr(model, "layers", []):
        path = (*prefix, layer.name)
        if hasattr(layer, "layers") and layer.layers and not hasattr(layer, "forward_layer"):
            yield from _weighted_layers(layer, path)
        elif layer.weights:
            yield "/".join(path), layer


def _keras1_gates(arrays: list[np.ndarray], wanted: int) -> list[np.ndarray]:
    """Keras 1 per-gate arrays (W, U, b per gate) joined into kernel, recurrent_kernel, bias; a
    Bidirectional holds two such sets (forward, then backward)."""
    cells = wanted // 3
    if wanted % 3 or len(arrays) <= wanted or len(arrays) % cells or len(arrays) // cells not in KERAS1_GATES:
        return arrays
    size = len(arrays) // cells
    return [joined for i in range(0, len(arrays), size) for joined in _join_gates(arrays[i : i + size])]


def _join_gates(chunk: list[np.ndarray]) -> list[np.ndarray]:
    stored = dict(
        zip(KERAS1_GATES[len(chunk)], (chunk[i : i + 3] for i in range(0, len(chunk), 3)), strict=True)
    )
    order = KERAS3_GATES[len(chunk)]
    return [np.concatenate([stored[gate][part] for gate in order], axis=-1) for part in range(3)]


def _shapes(shapes: list[tuple]) -> str:
    return "[" + ", ".join("x".join(map(str, s)) or "scalar" for s in shapes) + "]"


def keep_weights(context) -> None:
    """Post-build step of `clone --keep-weights`: the source's weights into the clone, by layer path."""
    from modelcfg_cli.weights import document_weights

    weights = document_weights(context.source)
    if not weights:
        context.notes.append("weights: the source holds none; every layer starts freshly initialised")
        return
    context.notes.extend(transfer_weights(context.model, weights).lines())
