"""Which Keras 3 built-in layer computes each TensorFlow op, and when (the table of the README's
"TensorFlow ops" section). A mapper takes an `OpCall` and returns `(specs, output rank)`, where a spec is
`(class_name, config, inputs or None)` (None: the previous spec's output, or the op's first argument);
it raises the call's `refuse(why)` when no built-in fits this call.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import Any

from modelcfg_cli.legacy.op_call import OpCall, is_ref

ACTIVATIONS = {
    "nn.relu": "relu",
    "nn.relu6": "relu6",
    "nn.elu": "elu",
    "nn.selu": "selu",
    "nn.silu": "silu",
    "nn.swish": "silu",
    "math.sigmoid": "sigmoid",
    "nn.sigmoid": "sigmoid",
    "math.tanh": "tanh",
    "nn.tanh": "tanh",
    "math.softplus": "softplus",
    "nn.softplus": "softplus",
    "math.softsign": "softsign",
    "nn.softsign": "softsign",
    "math.exp": "exponential",
}
MERGES = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply"}
POOLING = {"reduce_mean": "Average", "reduce_max": "Max"}


def _number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _operand(call: OpCall):
    """(the tensor operand, the other operand, swapped) of a binary op `x OP y`."""
    other = call.kwargs.get("y")
    if call.constant is not None and is_ref(other):
        return tuple(other[:3]), call.constant, True
    if not call.inputs:
        raise call.refuse("its first argument is not a tensor of the model")
    return call.inputs[0], other, False


def arithmetic(kind: str) -> Callable:
    """`x + y`, `x - y`, `x * y`, `x / y`: a merge layer for two tensors, Rescaling for a scalar."""

    def mapper(call: OpCall):
        tensor, other, swapped = _operand(call)
        rank = call.rank(tensor)
        if is_ref(other) and not swapped:
            if kind not in MERGES:
                raise call.refuse("no Keras 3 built-in layer divides one tensor by another")
            return [(MERGES[kind], {}, [tensor, tuple(other[:3])])], rank
        if not _number(other):
            raise call.refuse(f"its operand {other!r} is neither a tensor of the model nor a number")
        scale, offset = _rescaling(kind, float(other), swapped)
        if scale is None:
            raise call.refuse("a number divided by a tensor: no Keras 3 built-in layer computes it")
        return [("Rescaling", {"scale": scale, "offset": offset}, [tensor])], rank

    return mapper


def _rescaling(kind: str, value: float, swapped: bool) -> tuple[float | None, float]:
    """`x * scale + offset` for `x OP value` (or `value OP x` when swapped)."""
    if kind == "add":
        return 1.0, value
    if kind == "multiply":
        return value, 0.0
    if kind == "subtract":
        return (-1.0, value) if swapped else (1.0, -value)
    if swapped or value == 0:
        return None, 0.0
    return 1.0 / value, 0.0


def activation(name: str) -> Callable:
    def mapper(call: OpCall):
        tensor = _single(call)
        axis = call.kwargs.get("axis", -1)
        if name == "softmax" and axis not in (-1, None):
            return [("Softmax", {"axis": axis}, None)], call.rank(tensor)
        return [("Activation", {"activation": name}, None)], call.rank(tensor)

    return mapper


def _single(call: OpCall) -> tuple:
    if len(call.inputs) != 1 or call.listed:
        raise call.refuse("expected one tensor of the model as its first argument")
    return call.inputs[0]


def _known_rank(call: OpCall, tensor: tuple) -> int:
    rank = call.rank(tensor)
    if rank is None:
        raise call.refuse(f"cannot tell the rank of its input {tensor[0]!r}, which decides the Keras layer")
    return rank


def reshape(call: OpCall):
    """`tf.reshape(x, [-1, ...])`: Reshape of the non-batch axes."""
    _single(call)
    shape = call.kwargs.get("shape")
    if not (isinstance(shape, list) and shape and all(isinstance(d, int) for d in shape[1:])):
        raise call.refuse(f"the shape {shape!r} is not a list of numbers")
    if shape[0] not in (-1, None) or shape[1:].count(-1) > 1:
        raise call.refuse(f"the shape {shape!r} does not keep the batch axis first (-1 or None)")
    return [("Reshape", {"target_shape": shape[1:]}, None)], len(shape)


def concat(call: OpCall):
    axis = call.kwargs.get("axis")
    if not call.listed or not isinstance(axis, int) or axis == 0:
        raise call.refuse(f"expected a list of tensors and a non-batch axis, got axis={axis!r}")
    return [("Concatenate", {"axis": axis}, None)], call.rank(call.inputs[0])


def transpose(call: OpCall):
    _single(call)
    perm = call.kwargs.get("perm")
    if not (isinstance(perm, list) and perm and perm[0] == 0 and sorted(perm) == list(range(len(perm)))):
        raise call.refuse(f"the permutation {perm!r} moves the batch axis (Permute needs 0 first)")
    if call.kwargs.get("conjugate"):
        raise call.refuse("conjugate=True has no Keras 3 built-in layer")
    return [("Permute", {"dims": perm[1:]}, None)], len(perm)


def expand_dims(call: OpCall):
    """On a (batch, n) tensor: Reshape to (1, n) or (n, 1)."""
    tensor = _single(call)
    rank, axis = _known_rank(call, tensor), call.kwargs.get("axis")
    if not isinstance(axis, int) or rank != 2 or axis % 3 == 0:
        raise call.refuse(
            f"only a new axis 1 or 2 of a (batch, n) tensor fits Reshape (rank {rank}, axis={axis})"
        )
    target = [1, -1] if axis % 3 == 1 else [-1, 1]
    return [("Reshape", {"target_shape": target}, None)], 3


def squeeze(call: OpCall):
    """Dropping size-1 axes that leave a (batch, n) tensor: Reshape to (n,)."""
    tensor = _single(call)
    rank = _known_rank(call, tensor)
    axis = call.kwargs.get("axis", call.kwargs.get("squeeze_dims"))
    axes = _axes(axis, rank)
    if not axes or 0 in axes or rank - len(axes) != 2:
        raise call.refuse(f"only squeezing to a (batch, n) tensor fits Reshape (rank {rank}, axis {axis})")
    return [("Reshape", {"target_shape": [-1]}, None)], 2


def _axes(axis: Any, rank: int) -> set[int]:
    """Axis numbers counted from the front; empty for no axis (all axes) or one that is not a number."""
    values = axis if isinstance(axis, list) else [axis]
    if axis is None or not all(isinstance(a, int) for a in values):
        return set()
    return {a % rank for a in values}


def reduction(kind: str) -> Callable:
    """Mean or max over the steps axes (GlobalPooling, channels_last) or over the last axes
    (channels_first) of a rank 3-5 tensor."""

    def mapper(call: OpCall):
        tensor = _single(call)
        rank = _known_rank(call, tensor)
        axis = call.kwargs.get("axis")
        axes = sorted(_axes(axis, rank))
        spatial = list(range(1, rank - 1))
        if rank not in (3, 4, 5) or axes not in (spatial, [a + 1 for a in spatial]):
            why = f"only a mean/max over all steps axes fits global pooling (rank {rank}, axis={axis})"
            raise call.refuse(why)
        keepdims = bool(call.kwargs.get("keepdims"))
        data_format = "channels_last" if axes == spatial else "channels_first"
        class_name = f"Global{POOLING[kind]}Pooling{rank - 2}D"
        config = {"data_format": data_format, "keepdims": keepdims}
        return [(class_name, config, None)], rank if keepdims else 2

    return mapper


def matmul(call: OpCall):
    """Batched products of two (batch, n, k) tensors: Dot over the contracted axes."""
    tensor = _single(call)
    other = call.kwargs.get("b")
    if not is_ref(other):
        raise call.refuse("the second matrix is a constant, not a tensor of the model (use a Dense layer)")
    other = tuple(other[:3])
    if _known_rank(call, tensor) != 3 or _known_rank(call, other) != 3:
        raise call.refuse("only a product of two rank-3 (batch, n, k) tensors fits Dot")
    if call.kwargs.get("adjoint_a") or call.kwargs.get("adjoint_b"):
        raise call.refuse("adjoint_a/adjoint_b have no Keras 3 built-in layer")
    axes = [1 if call.kwargs.get("transpose_a") else 2, 2 if call.kwargs.get("transpose_b") else 1]
    return [("Dot", {"axes": axes, "normalize": False}, [tensor, other])], 3


def getitem(call: OpCall):
    """`x[:, a:]`, `x[:, :-b]` and the like: Cropping along one non-batch axis (a vector is cropped as a
    (n, 1) sequence, the last axis of a sequence after a Permute)."""
    tensor = _single(call)
    rank = _known_rank(call, tensor)
    axis, start, end = _crop(call, rank)
    crop = [start, end]
    if rank == 2:
        specs = [("Reshape", {"target_shape": [-1, 1]}, None), ("Cropping1D", {"cropping": crop}, None)]
        return [*specs, ("Reshape", {"target_shape": [-1]}, None)], 2
    if rank == 3 and axis == 1:
        return [("Cropping1D", {"cropping": crop}, None)], 3
    if rank == 3:
        flip = ("Permute", {"dims": [2, 1]}, None)
        return [flip, ("Cropping1D", {"cropping": crop}, None), flip], 3
    if rank == 4:
        cropping = [crop, [0, 0]] if axis == 1 else [[0, 0], crop]
        data_format = "channels_first" if axis == 3 else "channels_last"
        return [("Cropping2D", {"cropping": cropping, "data_format": data_format}, None)], 4
    raise call.refuse(f"slicing a rank-{rank} tensor has no Keras 3 built-in layer")


def _crop(call: OpCall, rank: int) -> tuple[int, int, int]:
    """(axis, cropped at the start, cropped at the end) of a slice that cuts one axis by known amounts."""
    spec = call.kwargs.get("slice_spec")
    spec = spec if isinstance(spec, list) else [spec]
    full = {"start": None, "stop": None, "step": None}
    cuts = [(i, s) for i, s in enumerate(spec) if s != full]
    if len(spec) > rank or len(cuts) != 1 or cuts[0][0] == 0 or not isinstance(cuts[0][1], dict):
        raise call.refuse(f"only a slice of one non-batch axis fits Cropping (slice {spec!r})")
    axis, cut = cuts[0]
    start, stop = cut.get("start") or 0, cut.get("stop")
    if cut.get("step") not in (None, 1) or not isinstance(start, int) or start < 0:
        raise call.refuse(f"the slice {cut!r} needs a step of 1 and a start counted from the front")
    if stop is not None and (not isinstance(stop, int) or stop >= 0):
        raise call.refuse(f"the slice {cut!r} ends at a position from the front (the axis length is unknown)")
    return axis, start, -stop if stop is not None else 0


def raw_reshape(call: OpCall):
    """A Keras 2.2-era TensorFlowOpLayer `Reshape` with a constant shape."""
    shape = (call.kwargs.get("constants") or {}).get("1")
    return reshape(OpCall(call.layer, call.op, call.inputs[:1], False, None, {"shape": shape}, call.ranks))


MAPPERS: dict[str, Callable] = {
    **{op: activation(name) for op, name in ACTIVATIONS.items()},
    "nn.softmax": activation("softmax"),
    "math.softmax": activation("softmax"),
    "__operators__.add": arithmetic("add"),
    "math.add": arithmetic("add"),
    "math.subtract": arithmetic("subtract"),
    "math.multiply": arithmetic("multiply"),
    "math.truediv": arithmetic("truediv"),
    "math.divide": arithmetic("truediv"),
    "reshape": reshape,
    "concat": concat,
    "transpose": transpose,
    "compat.v1.transpose": transpose,
    "expand_dims": expand_dims,
    "compat.v1.expand_dims": expand_dims,
    "squeeze": squeeze,
    "compat.v1.squeeze": squeeze,
    "math.reduce_mean": reduction("reduce_mean"),
    "math.reduce_max": reduction("reduce_max"),
    "linalg.matmul": matmul,
    "__operators__.getitem": getitem,
}
TF_OP_LAYER_OPS: dict[str, Callable] = {
    "Reshape": raw_reshape,
    "Relu": activation("relu"),
    "Sigmoid": activation("sigmoid"),
    "Tanh": activation("tanh"),
}
