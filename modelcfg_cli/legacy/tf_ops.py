"""TensorFlow op layers of tf.keras (`TFOpLambda`, `SlicingOpLambda`, `TensorFlowOpLayer`) rewritten as
Keras 3 built-in layers that compute the same thing, so the upgraded model needs neither TensorFlow nor
modelcfg to load. An op no built-in layer computes is refused with one line naming the op and the layer.

Works on the legacy functional config, before the rest of the upgrade: every op layer is replaced, in
place and under its own name, by one or more legacy-form entries (`[[name, node, tensor, {}], ...]`
inbound nodes) that the upgrade then turns into Keras 3 entries. The mapping of each op is in
`legacy/tf_op_table.py`; the ranks of the tensors (which decide several mappings) in `legacy/ranks.py`.
"""

from __future__ import annotations

from modelcfg_cli.errors import UpgradeRefused
from modelcfg_cli.legacy.op_call import OpCall, is_ref
from modelcfg_cli.legacy.ranks import output_rank
from modelcfg_cli.legacy.tf_op_table import MAPPERS, TF_OP_LAYER_OPS

OP_LAYERS = frozenset({"TFOpLambda", "SlicingOpLambda", "TensorFlowOpLayer"})
CONSTANT = "_CONSTANT_VALUE"


def upgrade_op_layers(config: dict) -> None:
    """Replace every op layer of a legacy model config (and of its nested models) by built-in layers;
    when some have none, refuse in one line that names every such layer."""
    refused: list[str] = []
    _upgrade_ops(config, refused)
    if len(refused) == 1:
        raise UpgradeRefused(None, refused[0])
    if refused:
        count = f"{len(refused)} TensorFlow op layers have no Keras 3 form"
        raise UpgradeRefused(None, f"{count}: " + "; ".join(refused))


def _upgrade_ops(config: dict, refused: list[str]) -> None:
    layers = config.get("layers")
    if not isinstance(layers, list):
        return
    functional = "input_layers" in config
    ranks: dict[str, int | None] = {}
    replaced: list = []
    for layer in layers:
        if isinstance(layer, dict) and isinstance(layer.get("config"), dict) and "layers" in layer["config"]:
            _upgrade_ops(layer["config"], refused)
        if not (isinstance(layer, dict) and str(layer.get("class_name")) in OP_LAYERS):
            replaced.append(layer)
            _note_rank(layer, ranks)
            continue
        if not functional:
            refused.append(f"layer {_name(layer)!r} is a {layer['class_name']} in a Sequential")
            continue
        try:
            new_layers, rank = _rewrite(layer, ranks)
        except UpgradeRefused as exc:
            refused.append(exc.message)
            new_layers, rank = [layer], None
        replaced.extend(new_layers)
        ranks[_name(layer)] = rank
    config["layers"] = replaced


def _rewrite(layer: dict, ranks: dict) -> tuple[list[dict], int | None]:
    call = _call(layer, ranks)
    if layer["class_name"] == "TensorFlowOpLayer":
        mapper = TF_OP_LAYER_OPS.get(call.op.removeprefix("tf.raw_ops."))
    else:
        mapper = MAPPERS.get(call.op.removeprefix("tf."))
    if mapper is None:
        raise call.refuse("no Keras 3 built-in layer computes this op (see the README: TensorFlow ops)")
    specs, rank = mapper(call)
    dtype = (layer.get("config") or {}).get("dtype") or "float32"
    return _entries(call.layer, specs, call.inputs, dtype), rank


def _call(layer: dict, ranks: dict) -> OpCall:
    name, config = _name(layer), layer.get("config") or {}
    nodes = layer.get("inbound_nodes") or []
    if layer["class_name"] == "TensorFlowOpLayer":
        op = "tf.raw_ops." + str((config.get("node_def") or {}).get("op"))
        node = nodes[0] if len(nodes) == 1 else None
        refs = tuple(tuple(t[:3]) for t in node) if isinstance(node, list) and all(map(is_ref, node)) else ()
        kwargs = {"constants": config.get("constants") or {}}
        return OpCall(name, op, refs, len(refs) > 1, None, kwargs, ranks)
    op = "tf." + str(config.get("function"))
    if len(nodes) != 1:
        return OpCall(name, op, (), False, None, {}, ranks)
    node = nodes[0]
    if isinstance(node, list) and len(node) in (3, 4) and node[0] == CONSTANT:
        kwargs = dict(node[3]) if len(node) == 4 and isinstance(node[3], dict) else {}
        return OpCall(name, op, (), False, node[2], kwargs, ranks)
    if is_ref(node):
        kwargs = dict(node[3]) if len(node) == 4 and isinstance(node[3], dict) else {}
        return OpCall(name, op, (tuple(node[:3]),), False, None, kwargs, ranks)
    if isinstance(node, list) and node and all(map(is_ref, node)):
        kwargs = dict(node[0][3]) if len(node[0]) == 4 and isinstance(node[0][3], dict) else {}
        return OpCall(name, op, tuple(tuple(t[:3]) for t in node), True, None, kwargs, ranks)
    return OpCall(name, op, (), False, None, {}, ranks)


def _entries(name: str, specs: list, inputs: tuple, dtype: str) -> list[dict]:
    """Legacy-form layer entries from `(class_name, config, inputs or None)` specs: the last keeps the op
    layer's name; each takes the previous one's output unless it names its own inputs."""
    entries = []
    previous = inputs
    for index, (class_name, config, own_inputs) in enumerate(specs):
        layer_name = name if index == len(specs) - 1 else f"{name}_{index + 1}"
        refs = own_inputs if own_inputs is not None else previous
        entries.append(
            {
                "class_name": class_name,
                "name": layer_name,
                "config": {"name": layer_name, "trainable": True, "dtype": dtype, **config},
                "inbound_nodes": [[[*ref, {}] for ref in refs]],
            }
        )
        previous = ((layer_name, 0, 0),)
    return entries


def _note_rank(layer: object, ranks: dict) -> None:
    if not isinstance(layer, dict) or not isinstance(layer.get("config"), dict):
        return
    inputs = []
    for node in (layer.get("inbound_nodes") or [])[:1]:
        refs = [node] if is_ref(node) else node if isinstance(node, list) else []
        inputs = [ranks.get(ref[0]) for ref in refs if is_ref(ref)]
    ranks[_name(layer)] = output_rank(str(layer.get("class_name")), layer["config"], inputs)


def _name(layer: dict) -> str:
    return str(layer.get("name") or (layer.get("config") or {}).get("name"))
