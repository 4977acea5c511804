"""Carry a `.keras` source's weights into a clone by Keras's own structure (the weights file's attribute
paths), never by position in a flat list.

Each layer of the source file is found by the name stored with it (`layers/<key>/vars` has a `name`
attribute). A layer the rules left alone is loaded by Keras's own `_load_state` from its sub-tree of the
file, exactly as `load_model` would: sub-objects (`query_dense` of MultiHeadAttention, keras_hub's
sub-layers), quantized variables and LoRA are all Keras's business. A layer a rule changed is matched
tensor by tensor on attribute path, key, shape and dtype kind; what does not match is re-initialised
and the report says why. Every tensor of the source is accounted for: kept, or in a re-initialised or
dropped layer.
"""

from __future__ import annotations

import warnings

from modelcfg_cli.keras_side.stores import store_classes
from modelcfg_cli.keras_side.weight_report import WeightReport, plural, shapes_text

MODEL_LEVEL = ("model",)


def source_layers(h5_file) -> dict[str, str]:
    """{entry path in the file: layer path by names}, nested models' layers included."""
    found: dict[str, str] = {}
    _collect(h5_file.get("layers"), "layers", (), found)
    return found


def _collect(group, entry: str, prefix: tuple[str, ...], found: dict[str, str]) -> None:
    if group is None:
        return
    for key in group:
        child = group[key]
        name = child["vars"].attrs.get("name", key) if "vars" in child else key
        path = (*prefix, name.decode() if isinstance(name, bytes) else str(name))
        found[f"{entry}/{key}"] = "/".join(path)
        if "layers" in child:
            _collect(child["layers"], f"{entry}/{key}/layers", path, found)


def stored_tensors(h5_file) -> list[tuple[str, str]]:
    """(entry path, key) of every tensor stored for the source's layers."""
    found = []

    def visit(name, obj):
        entry, sep, key = name.rpartition("/vars/")
        if sep and "/" not in key and hasattr(obj, "shape"):
            found.append((entry, key))

    group = h5_file.get("layers")
    if group is not None:
        group.visititems(lambda name, obj: visit(f"layers/{name}", obj))
    return found


def affected(changes) -> tuple[set[str], dict[str, str]]:
    """(source paths a rule changed, with every parent path), {clone path: source path} of renames."""
    changed: set[str] = set()
    renamed: dict[str, str] = {}
    for change in changes:
        if change.layer is None or change.kind in ("rewired", *MODEL_LEVEL):
            continue
        if change.kind == "renamed":
            parent = change.layer.rpartition("/")[0]
            renamed[f"{parent}/{change.new}" if parent else str(change.new)] = change.layer
            continue
        parts = change.layer.split("/")
        changed.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return changed, renamed


class Carrier:
    """One carry-over: the source store, what the rules changed, and the report being filled."""

    def __init__(self, keras, store, plan, stream=None):
        self.keras = keras
        self.store = store
        self.stream = stream
        self.entries = source_layers(store.h5_file)
        self.by_path = {path: entry for entry, path in self.entries.items()}
        self.changed, self.renamed = affected(plan.changes)
        self.source_classes = {ref.path_str: ref.class_name for ref in plan.source.layers()}
        self.clone_classes = {ref.path_str: ref.class_name for ref in plan.rewritten.layers()}
        self.report = WeightReport()
        self.all_tensors = stored_tensors(store.h5_file)
        self.used: set[str] = set()
        self.visited: set[int] = set()
        self.reinitialised: set[str] = set()

    def carry_model(self, model, prefix: str = "", source_prefix: str = "") -> None:
        """Carry every layer of `model` (a Functional or Sequential, perhaps nested)."""
        for layer in model.layers:
            path = f"{prefix}/{layer.name}" if prefix else layer.name
            source = self.renamed.get(path) or (f"{source_prefix}/{layer.name}" if prefix else layer.name)
            self.carry_layer(layer, path, source)

    def carry_layer(self, layer, path: str, source: str) -> None:
        entry = self.by_path.get(source)
        if entry is None:
            if layer.weights:
                self.reinit(path, "new layer (not in the source)")
            return
        self.used.add(entry)
        if source in self.changed or self.source_classes.get(source) != self.clone_classes.get(path):
            if isinstance(layer, self.keras.Model) and hasattr(layer, "layers"):
                self.carry_model(layer, path, source)
            else:
                self.match(layer, entry, path, source)
        elif not self.streamed(layer, entry) and not self.load(layer, entry):
            self.match(layer, entry, path, source)

    def streamed(self, layer, entry: str) -> bool:
        """With a `StreamState` (`streaming.py`): the layer's tensors are copied from the source file
        when it is saved, not loaded; False when they do not fit its variables exactly."""
        if self.stream is None:
            return False
        from modelcfg_cli.keras_side.streaming import stream_layer

        places = stream_layer(layer, entry, self.stored_shapes(entry), self.stream)
        if places is not None:
            self.store.read.update(places)
        return places is not None

    def load(self, layer, entry: str) -> bool:
        """Keras's own loading of `layer` from the file's sub-tree at `entry`; False when Keras refuses."""
        from keras.src.saving.saving_lib import _load_state

        failed: set[int] = set()
        _load_state(layer, self.store, None, entry, visited_saveables=self.visited,
                    failed_saveables=failed, error_msgs={})  # fmt: skip
        return not failed

    def match(self, layer, entry: str, path: str, source: str) -> None:
        """Tensor by tensor: a source tensor at the same attribute path and key, with the same shape and
        dtype kind, is loaded; the others keep their fresh values."""
        from keras.src.saving.saving_lib import _load_state, _save_state

        _, layout_store, array_store = store_classes()
        layout = layout_store()
        _save_state(layer, layout, None, entry, visited_saveables=set())
        wanted = layout.shapes()
        stored = self.stored_shapes(entry)
        arrays: dict[str, dict[str, object]] = {}
        kept = 0
        for (where, key), value in _items(layout.entries):
            if stored.get((where, key)) is not None and _fits(stored[(where, key)], wanted[(where, key)]):
                value = self.store.get(where)[key]
                kept += 1
            arrays.setdefault(where, {})[key] = value
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _load_state(layer, array_store(arrays), None, entry, visited_saveables=self.visited)
        if kept < len(wanted) or kept < len(stored):
            why = self.reason(stored, wanted, source, path)
            self.reinit(path, f"kept {kept} of {len(wanted)} tensors; {why}" if kept else why, source)

    def stored_shapes(self, entry: str) -> dict[tuple[str, str], tuple[tuple, str]]:
        found = {}
        for where, key in self.tensors_under(entry):
            dataset = self.store.h5_file[f"{where}/vars/{key}" if where else f"vars/{key}"]
            kind = "bfloat16" if dataset.attrs.get("dtype") == "bfloat16" else str(dataset.dtype)
            found[(where, key)] = (tuple(dataset.shape), kind)
        return found

    def tensors_under(self, entry: str) -> list[tuple[str, str]]:
        return [(w, k) for w, k in self.all_tensors if w == entry or w.startswith(entry + "/")]

    def reason(self, stored: dict, wanted: dict, source: str, path: str) -> str:
        before, after = self.source_classes.get(source), self.clone_classes.get(path)
        if before != after:
            return f"class changed: {before} -> {after}"
        old = [stored[k] for k in sorted(stored, key=_order)]
        new = [wanted[k] for k in sorted(wanted, key=_order)]
        if [s for s, _ in old] == [s for s, _ in new]:
            return f"dtype changed: {_dtypes(old)} -> {_dtypes(new)}"
        return f"shape changed: {shapes_text([s for s, _ in old])} -> {shapes_text([s for s, _ in new])}"

    def reinit(self, path: str, why: str, source: str | None = None) -> None:
        self.report.reinitialised.append((path, why))
        if source is not None:
            self.reinitialised.add(source)

    def finish(self) -> WeightReport:
        """Count what was carried and name what was dropped (by its source layer)."""
        report = self.report
        carried = {(w, k) for w, k in self.store.read if w.startswith("layers/")}
        report.stored = len(self.all_tensors)
        report.carried = len(carried & set(self.all_tensors))
        report.kept = sorted({self.owner(w) for w, _ in carried})
        lost: dict[str, int] = {}
        for where, key in self.all_tensors:
            if (where, key) not in carried:
                owner = self.owner(where)
                lost[owner] = lost.get(owner, 0) + 1
        unused = {self.entries[e] for e in self.entries if e not in self.used}
        for owner, count in sorted(lost.items()):
            if any(owner == r or owner.startswith(r + "/") for r in self.reinitialised):
                continue  # reported as re-initialised
            why = "not in the clone" if owner in unused else "not read by Keras"
            report.dropped.append((owner, f"{plural(count, 'tensor')} {why}"))
        return report

    def owner(self, where: str) -> str:
        """The layer path of the deepest source layer whose sub-tree holds entry `where`."""
        while where and where not in self.entries:
            where = where.rpartition("/")[0]
        return self.entries.get(where, where or "(model)")


def _items(entries: dict[str, dict[str, object]]):
    for where, values in entries.items():
        for key, value in values.items():
            yield (where, key), value


def _fits(stored: tuple[tuple, str], wanted: tuple[tuple, str]) -> bool:
    """Same shape, and both floating point or both the same non-float dtype."""
    (shape, dtype), (other_shape, other_dtype) = stored, wanted
    floats = ("float", "bfloat")
    same_kind = dtype == other_dtype or (dtype.startswith(floats) and other_dtype.startswith(floats))
    return shape == other_shape and same_kind


def _order(item: tuple[str, str]) -> tuple:
    where, key = item
    return (where, int(key) if key.isdigit() else key)


def _dtypes(items: list[tuple[tuple, str]]) -> str:
    return ", ".join(dict.fromkeys(dtype for _, dtype in items))


def carry_weights(keras, model, store, plan, stream=None) -> WeightReport:
    """Every source tensor into `model` (the built clone) where Keras's structure puts it (or, with a
    `stream`, marked to be copied from the source when the clone is saved)."""
    carrier = Carrier(keras, store, plan, stream)
    carrier.carry_model(model)
    report = carrier.finish()
    optimizer = _count_tensors(store.h5_file.get("optimizer"))
    if optimizer:
        report.notes.append(f"the optimizer's state ({plural(optimizer, 'tensor')}) is not carried over")
    return report


def _count_tensors(group) -> int:
    found = []
    if group is not None:
        group.visititems(lambda _, obj: found.append(1) if hasattr(obj, "shape") else None)
    return len(found)
