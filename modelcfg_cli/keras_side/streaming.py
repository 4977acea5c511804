"""`clone --keep-weights` of large models in bounded memory: the tensors of layers the rules left alone go
from the source file straight to the output file, dataset by dataset in slices, never held in memory.

The clone is built with deferred variables (Keras's `StatelessScope`: a variable gets a shape and an
initializer, no value), so building a 680 MB model costs almost nothing. The carry-over (`carry.py`)
then marks each unchanged layer whose stored tensors fit its variables exactly (same attribute paths,
keys, shapes and dtypes, as Keras's own loading would require) as streamed; the other layers are loaded
or matched as usual, and the variables left are initialised. The weights file is written by Keras's own
`_save_state` walk into a store that copies a streamed variable's source dataset in slices instead of
asking the variable for its value. Used when nothing else needs the values in memory (no quantization,
no layer that saves assets, a `.keras` file or a preset in one weights file).
"""

from __future__ import annotations

import contextlib
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelcfg_cli.weights.stored import chunks

DEFAULT_MAX_SHARD_GB = 10.0  # keras-hub's `save_to_preset` default
PROGRESS_BYTES = 256 * 1024 * 1024  # show progress on stderr for copies larger than this
MIB = 1024 * 1024


@dataclass
class StreamState:
    """The source store (open until the clone is saved) and {id(variable): (entry path, key)} of every
    variable whose tensor is copied from it."""

    store: Any = None
    streamed: dict[int, tuple[str, str]] = field(default_factory=dict)
    total_bytes: int = 0

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


@contextlib.contextmanager
def deferred_variables(keras):
    """Variables created inside get no value until initialised (Keras's deferred initialisation); the
    ones still unset on the way out are left so, and forgotten by Keras's global list."""
    from keras.src.backend.common import global_state

    before = global_state.get_global_attribute("uninitialized_variables", [], set_to_default=True)
    global_state.set_global_attribute("uninitialized_variables", [])
    try:
        with keras.StatelessScope(initialize_variables=False):
            yield
    finally:
        global_state.set_global_attribute("uninitialized_variables", before)


def is_unset(variable) -> bool:
    """A variable built under `deferred_variables` that holds no value yet."""
    return getattr(variable, "_value", 0) is None and getattr(variable, "_initializer", None) is not None


def initialise_the_rest(model, state: StreamState) -> None:
    """Give every variable that is neither streamed nor loaded its initial value (fresh layers)."""
    for variable in model.variables:
        if is_unset(variable) and id(variable) not in state.streamed:
            variable._deferred_initialize()


def stream_layer(layer, entry: str, stored: dict, state: StreamState) -> list[tuple[str, str]] | None:
    """The (entry path, key) of every tensor of `layer` when each of its variables fits the source's
    tensor at the same place exactly; then they are marked streamed. None when any does not."""
    from keras.src import backend
    from keras.src.saving.saving_lib import _save_state

    from modelcfg_cli.keras_side.stores import store_classes

    layout = store_classes()[1]()
    _save_state(layer, layout, None, entry, visited_saveables=set())
    wanted = {
        (where, key): value for where, values in layout.entries.items() for key, value in values.items()
    }
    if set(wanted) != set(stored) or not wanted:
        return None
    for place, value in wanted.items():
        shape, dtype = stored[place]
        if (
            not is_unset(value)
            or tuple(value.shape) != shape
            or backend.standardize_dtype(value.dtype) != dtype
        ):
            return None
    for place, value in wanted.items():
        state.streamed[id(value)] = place
    return list(wanted)


def streaming_writer(state: StreamState, path: Path, progress=None):
    """A Keras `H5IOStore` writing `path`: streamed variables are copied from the source in slices."""
    from keras.src.saving.saving_lib import H5IOStore

    class StreamWriter(H5IOStore):
        def __setitem__(self, key, value):
            place = state.streamed.get(id(value))
            if place is None:
                return super().__setitem__(key, value)
            if not self._h5_entry_initialized:
                self._create_h5_group(self._h5_entry_path)
            where, name = place
            source = state.store.h5_file[f"{where}/vars/{name}" if where else f"vars/{name}"]
            copy_dataset(source, self._h5_entry_group, key, progress)
            return None

    return StreamWriter(str(path), mode="w")


def copy_dataset(source, group, key: str, progress=None) -> None:
    """`source` (an h5py dataset) into `group[key]`, slice by slice, with its attributes (bfloat16)."""
    target = group.create_dataset(key, shape=source.shape, dtype=source.dtype)
    target.attrs.update(source.attrs)
    start = 0
    for part in chunks(source):
        if not source.shape:
            target[()] = part
            break
        target[start : start + len(part)] = part
        start += len(part)
        if progress is not None:
            progress(part.nbytes)


def write_weights(model, state: StreamState, path: Path) -> None:
    """The clone's weights file at `path`, written by Keras's `_save_state` walk."""
    from keras.src.saving.saving_lib import _save_state

    with _progress(state.total_bytes) as progress:
        writer = streaming_writer(state, path, progress)
        try:
            _save_state(
                model, weights_store=writer, assets_store=None, inner_path="", visited_saveables=set()
            )
        finally:
            writer.close()


def save_keras(model, state: StreamState, out: Path) -> None:
    """A `.keras` zip at `out` as `model.save` writes it, the weights streamed."""
    from keras.src.saving.saving_lib import _serialize_model_as_json

    config_json, metadata_json = _serialize_model_as_json(model)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".modelcfg-weights-") as folder:
        weights = Path(folder) / "model.weights.h5"
        write_weights(model, state, weights)
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("metadata.json", metadata_json)
            archive.writestr("config.json", config_json)
            archive.write(weights, "model.weights.h5")


@contextlib.contextmanager
def _progress(total: int):
    """A callback counting copied bytes, announced as a stage (`copying weights 120 of 647 MiB`) that
    the `clone` command shows on a terminal; only for copies larger than `PROGRESS_BYTES`."""
    from modelcfg_cli.keras_side.stages import stage

    if total < PROGRESS_BYTES:
        yield None
        return
    counted = [0, -1]  # bytes so far, the last percent announced

    def advance(count: int) -> None:
        counted[0] += count
        percent = counted[0] * 100 // total
        if percent != counted[1]:
            counted[1] = percent
            stage(f"copying weights {counted[0] // MIB:,} of {total // MIB:,} MiB")

    yield advance


def stream_for(plan, fmt: str, steps: tuple, keep_step, keras3_file) -> StreamState | None:
    """A `StreamState` when the clone's only post-build step is the carry-over (`keep_step`) of the
    weights of a Keras 3 source (`keras3_file(doc)`) into a `.keras` file or a preset (nothing else
    needs the values in memory), else None."""
    doc = plan.source
    if steps != (keep_step,) or plan.quantize or fmt not in ("keras", "preset") or doc.path is None:
        return None
    return StreamState() if keras3_file(doc) else None


def build_model(keras, envelope: dict, safe_mode: bool, label: str, stream: StreamState | None):
    """The clone, with deferred variables when its tensors may be streamed."""
    from modelcfg_cli.keras_side.build import instantiate

    if stream is None:
        return instantiate(keras, envelope, safe_mode, label)
    return deferred_instantiate(keras, envelope, safe_mode, label)


def deferred_instantiate(keras, envelope: dict, safe_mode: bool, label: str):
    """The model with deferred variables; compiled afterwards, as `deserialize_keras_object` would (an
    optimizer cannot be made inside the scope)."""
    from modelcfg_cli.keras_side.build import instantiate, keras_error

    compile_config = envelope.get("compile_config")
    with deferred_variables(keras):
        model = instantiate(
            keras, {k: v for k, v in envelope.items() if k != "compile_config"}, safe_mode, label
        )
    if compile_config:
        try:
            model.compile_from_config(compile_config)
        except Exception as exc:
            raise keras_error(label, exc) from exc
    return model


def reload_deferred(keras, temp: Path, safe_mode: bool, label: str) -> dict:
    """The serialized model Keras builds again from a saved `.keras` file's config (no values needed)."""
    import json

    with zipfile.ZipFile(temp) as archive:
        saved = json.loads(archive.read("config.json"))
    return json.loads(deferred_instantiate(keras, saved, safe_mode, label).to_json())


def settle(model, stream: StreamState | None, fmt: str, max_shard_gb: float | None) -> StreamState | None:
    """After the carry-over: fresh variables initialised; the stream kept when the save can copy from
    it (no layer saves assets; a preset's weights fit one file), else its tensors read into the model."""
    if stream is None:
        return None
    initialise_the_rest(model, stream)
    limit = (DEFAULT_MAX_SHARD_GB if max_shard_gb is None else max_shard_gb) * 1024**3
    assets = any(hasattr(layer, "save_assets") for layer in model._flatten_layers())
    if assets or (fmt == "preset" and weights_bytes(model) > limit):
        materialise(model, stream)
        return None
    stream.total_bytes = sum(_nbytes(v) for v in model.variables if id(v) in stream.streamed)
    return stream


def materialise(model, stream: StreamState) -> None:
    """Read every streamed tensor into its variable (for a save that needs the values)."""
    for variable in model.variables:
        place = stream.streamed.pop(id(variable), None)
        if place is not None:
            where, key = place
            variable.assign(stream.store.get(where)[key])


def weights_bytes(model) -> int:
    """The size of the model's variables (each counted once), as keras-hub counts it for sharding."""
    seen = {id(v): v for v in model.variables}
    return sum(_nbytes(v) for v in seen.values())


def _nbytes(variable) -> int:
    import numpy as np

    return int(np.prod(variable.shape)) * np.dtype(variable.dtype).itemsize
