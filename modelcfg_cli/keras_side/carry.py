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

from modelcfg_cli.keras_side.bit_check import CAST, EXACT, NO_SLOT, clone_layout, compare, stored_array
from modelcfg_cli.keras_side.promise import RULES
from modelcfg_cli.keras_side.stores import store_classes
from modelcfg_cli.keras_side.weight_report import NEW_LAYER, NOT_FOUND, WeightReport, plural, shapes_text
from modelcfg_cli.weights.saving_keys import layer_entries

MODEL_LEVEL = ("model",)


def source_layers(h5_file, envelope: dict | None = None) -> dict[str, str]:
    """{entry path in the file: layer path by names}, nested models' layers included. A layer is known by
    the name stored beside its weights (Keras 3.6+), else by the key Keras 3.0-3.5 derived for it from
    the config `envelope` (class and counter, `saving_keys.py`), else by its key."""
    found: dict[str, str] = {}
    keyed = layer_entries(envelope) if envelope else {}
    _collect(h5_file.get("layers"), "layers", (), found, keyed)
    return found


def _collect(group, entry: str, prefix: tuple[str, ...], found: dict[str, str], keyed: dict) -> None:
    if group is None:
        return
    for key in group:
        child, where = group[key], f"{entry}/{key}"
        name = child["vars"].attrs.get("name") if "vars" in child else None
        if name is None and where in keyed:
            path = tuple(keyed[where].split("/"))
        else:
            path = (*prefix, _text(key if name is None else name))
        found[where] = "/".join(path)
        if "layers" in child:
            _collect(child["layers"], f"{where}/layers", path, found, keyed)


def _text(name) -> str:
    return name.decode() if isinstance(name, bytes) else str(name)


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
    """One carry-over: the source store, what the rules changed, the fresh policy and what was placed."""

    def __init__(self, keras, store, plan, policy, stream=None):
        self.keras = keras
        self.store = store
        self.policy = policy
        self.stream = stream  # a `streaming.StreamState`: unchanged layers are copied file to file
        self.entries = source_layers(store.h5_file, plan.source.envelope)
        self.by_path = {path: entry for entry, path in self.entries.items()}
        self.changed, self.renamed = affected(plan.changes)
        self.source_classes = {ref.path_str: ref.class_name for ref in plan.source.layers()}
        self.clone_classes = {ref.path_str: ref.class_name for ref in plan.rewritten.layers()}
        self.all_tensors = stored_tensors(store.h5_file)
        self.used: dict[str, str] = {}  # source entry -> clone layer path that took it
        self.placed: list[tuple[object, str]] = []  # (clone layer, source entry) loaded or matched
        self.new: list[tuple[str, str]] = []  # (clone path, source path) of layers with nothing stored
        self.reasons: dict[str, str] = {}  # source entry -> why a changed layer's tensors do not fit
        self.visited: set[int] = set()

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
                self.new.append((path, source))
            return
        self.used[entry] = path
        if source in self.changed or self.source_classes.get(source) != self.clone_classes.get(path):
            if isinstance(layer, self.keras.Model) and hasattr(layer, "layers"):
                self.carry_model(layer, path, source)
                return
            inner = self.unwrapped(layer, entry, path, source)
            if inner is not None:
                self.placed.append((layer, inner))
                return
            self.match(layer, entry, path, source)
        elif not self.streamed(layer, entry) and not self.load(layer, entry):
            self.match(layer, entry, path, source)
        self.placed.append((layer, entry))

    def unwrapped(self, layer, entry: str, path: str, source: str) -> str | None:
        """`unwrap` put a wrapper's inner layer in its place: the source sub-entry whose tensors fit the
        clone layer exactly (`forward_layer` of a Bidirectional, `layer` of TimeDistributed), loaded
        from there; None when the class is the same or no sub-entry fits."""
        from keras.src.saving.saving_lib import _save_state

        before, after = self.source_classes.get(source), self.clone_classes.get(path)
        group = self.store.h5_file.get(entry)
        if before == after or group is None:
            return None
        for child in sorted((k for k in group if k not in ("vars", "layers")), key=_inner_first):
            sub = f"{entry}/{child}"
            layout = store_classes()[1]()
            _save_state(layer, layout, None, sub, visited_saveables=set())
            wanted, stored = layout.shapes(), self.stored_shapes(sub)
            fits = wanted and set(wanted) == set(stored) and all(_fits(stored[k], wanted[k]) for k in wanted)
            if fits and self.load(layer, sub):
                self.reasons[entry] = f"class changed: {before} -> {after} (the inner layer's weights kept)"
                return sub
        return None

    def streamed(self, layer, entry: str) -> bool:
        """With a `StreamState` (`streaming.py`): the layer's tensors are copied from the source file
        when the clone is saved, not loaded; False when they do not fit its variables exactly."""
        if self.stream is None:
            return False
        from modelcfg_cli.keras_side.streaming import stream_layer

        return stream_layer(layer, entry, self.stored_shapes(entry), self.stream) is not None

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
        for (where, key), value in _items(layout.entries):
            if stored.get((where, key)) is not None and _fits(stored[(where, key)], wanted[(where, key)]):
                value = self.store.get(where)[key]
            arrays.setdefault(where, {})[key] = value
        errors: dict[int, tuple] = {}  # given (with `failed_saveables`) so Keras < 3.13 walks it too
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _load_state(layer, array_store(arrays), None, entry, visited_saveables=self.visited,
                        failed_saveables=set(), error_msgs=errors)  # fmt: skip
        if errors:
            raise next(iter(errors.values()))[1]
        self.reasons[entry] = self.reason(stored, wanted, source, path)

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

    def finish(self) -> WeightReport:
        """Count what is in the clone bit for bit (read back, not assumed) and judge every loss."""
        outcomes = self.outcomes()
        report = WeightReport(stored=len(self.all_tensors))
        report.carried = sum(1 for outcome in outcomes.values() if outcome in (EXACT, CAST))
        report.cast = sum(1 for outcome in outcomes.values() if outcome == CAST)
        by_owner: dict[str, list[str]] = {}
        for (where, _), outcome in outcomes.items():
            by_owner.setdefault(self.owner_entry(where), []).append(outcome)
        for entry, found in sorted(by_owner.items(), key=lambda item: self.entries.get(item[0], item[0])):
            if EXACT in found or CAST in found:
                report.kept.append(self.clone_path(entry))
            lost = [outcome for outcome in found if outcome not in (EXACT, CAST)]
            if lost:
                self.judge(report, entry, lost, len(found))
        for path, source in self.new:
            cause = self.policy.new_layer(path, source)
            why = NEW_LAYER if cause == RULES else NOT_FOUND
            report.add_reinitialised(path, why, cause)
        report.kept = sorted(set(report.kept))
        return report

    def outcomes(self) -> dict[tuple[str, str], str]:
        """Every stored tensor's fate: EXACT, CAST, DIFFERENT or NO_SLOT in the clone."""
        layout = clone_layout(self.placed)
        return {
            (where, key): self.outcome(where, key, layout.get((where, key)))
            for where, key in self.all_tensors
        }

    def outcome(self, where: str, key: str, value) -> str:
        """One stored tensor's fate; a streamed variable is copied byte for byte from this very dataset
        when the clone is saved (its value is not in memory to compare)."""
        if self.stream is not None and self.stream.streamed.get(id(value)) == (where, key):
            return EXACT
        return compare(stored_array(self.store.h5_file, where, key), value)

    def judge(self, report: WeightReport, entry: str, lost: list[str], count: int) -> None:
        """Report a source layer some of whose tensors are not in the clone, with the policy's verdict."""
        source = self.entries.get(entry, entry or "(model)")
        if not self.covered(entry):
            gone = f"{plural(len(lost), 'tensor')} not in the clone"
            report.add_dropped(source, gone, self.policy.dropped(source))
            return
        path = self.clone_path(entry)
        structural = all(outcome == NO_SLOT for outcome in lost)
        why: str | None = self.reasons.get(entry) if structural else None
        if why is None:
            how = "no slot of that shape" if structural else "the clone holds other values"
            why = f"{plural(len(lost), 'stored tensor')} did not arrive ({how})"
        kept = count - len(lost)
        why = f"kept {kept} of {count} tensors; {why}" if kept else why
        report.add_reinitialised(path, why, self.policy.refitted(path, source, structural))

    def covered(self, entry: str) -> bool:
        """A clone layer took `entry`, or a layer loaded whole holds it."""
        return entry in self.used or any(entry.startswith(e + "/") for _, e in self.placed)

    def owner_entry(self, where: str) -> str:
        """The entry of the deepest source layer whose sub-tree holds entry `where`."""
        while where and where not in self.entries:
            where = where.rpartition("/")[0]
        return where

    def clone_path(self, entry: str) -> str:
        """The clone layer path that holds source entry `entry` (inside a layer loaded whole, the rest of
        the source path follows the path of the layer that was loaded)."""
        if entry in self.used:
            return self.used[entry]
        parents = (e for _, e in self.placed if entry.startswith(e + "/"))
        parent = max(parents, key=len, default=None)
        if parent is None:
            return self.entries.get(entry, entry)
        rest = self.entries.get(entry, entry)[len(self.entries.get(parent, parent)) :]
        return self.used[parent] + rest


def _inner_first(child: str) -> tuple:
    """A wrapper's inner layer first: Bidirectional's forward direction, then TimeDistributed's layer."""
    return ({"forward_layer": 0, "layer": 1}.get(child, 2), child)


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


def carry_weights(keras, model, store, plan, policy, stream=None) -> WeightReport:
    """Every source tensor into `model` (the built clone) where Keras's structure puts it (or, with a
    `stream`, marked to be copied from the source file when the clone is saved); the report counts what
    the clone holds bit for bit and says, per loss, whether `policy` allows it."""
    carrier = Carrier(keras, store, plan, policy, stream)
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
