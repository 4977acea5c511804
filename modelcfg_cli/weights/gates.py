"""Keras 1 recurrent layers stored one array per gate (W_i, U_i, b_i, W_c, ...); Keras 2 and 3 store
each cell's gates joined into kernel, recurrent_kernel and bias. Joined here with numpy only, for
`clone --keep-weights` and for `diff --weights` of a Keras 1 file against its clone."""

from __future__ import annotations

import numpy as np

from modelcfg_cli.weights.stored import StoredTensor

KERAS1_GATES = {12: ("i", "c", "f", "o"), 9: ("z", "r", "h")}
KERAS3_GATES = {12: ("i", "f", "c", "o"), 9: ("z", "r", "h")}


def keras1_gates(arrays: list[np.ndarray], wanted: int) -> list[np.ndarray]:
    """Keras 1 per-gate arrays joined into `wanted` arrays (kernel, recurrent_kernel, bias per cell; a
    Bidirectional holds two cells, forward then backward); `arrays` unchanged when they are not that."""
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


def join_stored_gates(tensors_a: list[StoredTensor], tensors_b: list[StoredTensor]) -> list[StoredTensor]:
    """A's tensors, where a layer holds Keras 1 per-gate arrays and B's layer of that path the joined
    ones, with that layer's arrays joined (in memory) and numbered as B numbers them."""
    layers_b: dict[str, list[StoredTensor]] = {}
    for tensor in tensors_b:
        layers_b.setdefault(tensor.layer, []).append(tensor)
    layers_a: dict[str, list[StoredTensor]] = {}
    for tensor in tensors_a:
        layers_a.setdefault(tensor.layer, []).append(tensor)
    joined_a: list[StoredTensor] = []
    for layer, group in layers_a.items():
        targets = layers_b.get(layer, [])
        arrays = [np.asarray(tensor.dataset[()]) for tensor in group] if len(group) > len(targets) > 0 else []
        joined = keras1_gates(arrays, len(targets)) if arrays else arrays
        if not arrays or len(joined) != len(targets):
            joined_a.extend(group)
            continue
        joined_a.extend(
            StoredTensor(layer, target.index, f"{target.name} (Keras 1 gates joined)", array)
            for target, array in zip(targets, joined, strict=True)
        )
    return joined_a
