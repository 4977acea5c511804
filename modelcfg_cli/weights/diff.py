"""Compare the stored weights of two models tensor by tensor, with h5py and numpy only (no Keras).

Tensors are matched by layer path and position among the layer's weights (`weights.open_tensors`), so a
`.keras` file and an `.h5` of the same model match. Each pair is read in slices along its first axis
(`weights.chunks`), so memory stays flat however large the model. Equal tensors are not listed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from modelcfg_cli.document import ModelDocument
from modelcfg_cli.errors import SourceError
from modelcfg_cli.weights.gates import join_stored_gates
from modelcfg_cli.weights.model_tensors import check_fit, tensors_of
from modelcfg_cli.weights.stored import CHUNK_BYTES, StoredTensor, chunks

NO_WEIGHTS = (
    "stores no weights (a config-only source); diff --weights needs a .keras file, a model folder or an .h5"
)


@dataclass(frozen=True)
class WeightChange:
    """One tensor that differs. `change`: values, shape, dtype, added or removed; `path` is the tensor's
    position among its layer's weights and `name` what the file calls it. For changed values: the largest
    absolute difference, the relative L2 change ||a-b|| / ||a|| (None when A is all zeros), how many
    elements differ, and NaN/Inf counts per side."""

    layer: str
    path: str
    change: str
    name: str | None = None
    old: dict | None = None
    new: dict | None = None
    max_abs: float | None = None
    rel_l2: float | None = None
    values_changed: int | None = None
    nan: dict | None = None
    inf: dict | None = None
    kind: str = field(default="weights", init=False)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "layer": self.layer,
            "path": self.path,
            "change": self.change,
            "name": self.name,
            "old": self.old,
            "new": self.new,
            "max_abs": self.max_abs,
            "rel_l2": self.rel_l2,
            "values_changed": self.values_changed,
            "nan": self.nan,
            "inf": self.inf,
        }


@dataclass
class _Totals:
    """What the slices of a pair of tensors add up to."""

    max_abs: float = 0.0
    diff_sq: float = 0.0
    ref_sq: float = 0.0
    changed: int = 0
    nan: list[int] = field(default_factory=lambda: [0, 0])
    inf: list[int] = field(default_factory=lambda: [0, 0])


def diff_weights(
    doc_a: ModelDocument, doc_b: ModelDocument, *, renamed: dict[str, str] | None = None
) -> list[WeightChange]:
    """Every tensor that differs between the weights stored with A and with B, in B's graph order
    (the layers only A has come first). A side's weights come from its `--weights-a/-b` file when one
    was given (`origin.weights_file`), else from the source. `renamed` ({A's layer path: new
    name}, from the config diff) lets a renamed layer's tensors meet their partners in B."""
    with tensors_of(doc_a) as tensors_a, tensors_of(doc_b) as tensors_b:
        if tensors_a is None:
            raise SourceError(doc_a.label, NO_WEIGHTS)
        if tensors_b is None:
            raise SourceError(doc_b.label, NO_WEIGHTS)
        check_fit(doc_a, tensors_a)
        check_fit(doc_b, tensors_b)
        changes = _match(tensors_a, tensors_b, renamed or {})
    order = {ref.path_str: i for i, ref in enumerate([*doc_a.layers(), *doc_b.layers()])}
    changes.sort(key=lambda c: (order.get(c.layer, math.inf), c.layer, int(c.path)))
    return changes


def _match(
    tensors_a: list[StoredTensor], tensors_b: list[StoredTensor], renamed: dict[str, str]
) -> list[WeightChange]:
    by_key = {tensor.key: tensor for tensor in tensors_b}
    tensors_a = join_stored_gates(tensors_a, tensors_b)
    changes = []
    for tensor in tensors_a:
        partner = by_key.pop((in_b(tensor.layer, renamed), tensor.index), None)
        if partner is None:
            changes.append(_one_sided(tensor, "removed"))
            continue
        change = compare_tensors(tensor, partner)
        if change is not None:
            changes.append(change)
    changes.extend(_one_sided(tensor, "added") for tensor in by_key.values())
    return changes


def in_b(path: str, renamed: dict[str, str]) -> str:
    """A's layer path as B names it: each renamed model or layer along the path takes its new name."""
    parts = path.split("/")
    return "/".join(renamed.get("/".join(parts[: i + 1]), part) for i, part in enumerate(parts))


def _signature(tensor: StoredTensor) -> dict:
    return {"shape": list(tensor.dataset.shape), "dtype": str(tensor.dataset.dtype)}


def _one_sided(tensor: StoredTensor, change: str) -> WeightChange:
    side: dict[str, Any] = {"old" if change == "removed" else "new": _signature(tensor)}
    return WeightChange(tensor.layer, str(tensor.index), change, tensor.name, **side)


def compare_tensors(
    a: StoredTensor, b: StoredTensor, *, chunk_bytes: int = CHUNK_BYTES
) -> WeightChange | None:
    """The difference between two stored tensors, read slice by slice; None when they are equal. Equal
    bytes settle it in one pass; a tensor that differs is read again for its figures."""
    old, new = _signature(a), _signature(b)
    base: dict[str, Any] = {"layer": b.layer, "path": str(b.index), "name": b.name, "old": old, "new": new}
    if old["shape"] != new["shape"]:
        return WeightChange(change="shape", **base)
    if old["dtype"] != new["dtype"]:
        return WeightChange(change="dtype", **base)
    if all(_same_bytes(chunk_a, chunk_b) for chunk_a, chunk_b in _slices(a, b, chunk_bytes)):
        return None
    if a.dataset.dtype.kind not in "biuf":
        return WeightChange(change="values", **base)
    totals = _Totals()
    for chunk_a, chunk_b in _slices(a, b, chunk_bytes):
        _add_chunk(totals, chunk_a, chunk_b)
    if not totals.changed:  # only NaNs, at the same places but with other payload bits
        return None
    return WeightChange(
        change="values",
        max_abs=totals.max_abs,
        rel_l2=math.sqrt(totals.diff_sq / totals.ref_sq) if totals.ref_sq else None,
        values_changed=totals.changed,
        nan={"a": totals.nan[0], "b": totals.nan[1]},
        inf={"a": totals.inf[0], "b": totals.inf[1]},
        **base,
    )


def _slices(a: StoredTensor, b: StoredTensor, chunk_bytes: int):
    return zip(chunks(a.dataset, chunk_bytes), chunks(b.dataset, chunk_bytes), strict=True)


def _same_bytes(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bytes: the quick test that settles most tensors without arithmetic."""
    return np.array_equal(_raw(a), _raw(b))


def _raw(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(array).reshape(-1).view(np.uint8)


def _add_chunk(totals: _Totals, chunk_a: np.ndarray, chunk_b: np.ndarray) -> None:
    a = np.asarray(chunk_a, dtype=np.float64).ravel()
    b = np.asarray(chunk_b, dtype=np.float64).ravel()
    finite_a, finite_b = np.isfinite(a), np.isfinite(b)
    both = finite_a & finite_b
    if not both.all():
        for side, values, finite in ((0, a, finite_a), (1, b, finite_b)):
            totals.nan[side] += int(np.isnan(values).sum())
            totals.inf[side] += int((~finite).sum() - np.isnan(values).sum())
        a_finite = np.where(finite_a, a, 0.0)
        totals.ref_sq += float(np.dot(a_finite, a_finite))
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        a, b = np.where(both, a, 0.0), np.where(both, b, 0.0)
    else:
        totals.ref_sq += float(np.dot(a, a))
        same = a == b
    changed = int(same.size - np.count_nonzero(same))
    totals.changed += changed
    if changed:
        delta = np.abs(a - b)
        totals.max_abs = max(totals.max_abs, float(delta.max(initial=0.0)))
        totals.diff_sq += float(np.dot(delta, delta))
