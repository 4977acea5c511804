"""One call of a TensorFlow op in a tf.keras op layer, as the op table (`legacy/tf_op_table.py`) reads it,
and the test for a serialized tensor reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from modelcfg_cli.errors import UpgradeRefused


@dataclass(frozen=True)
class OpCall:
    """One call of a TensorFlow op in the graph: its first argument (tensors or a constant), its
    keyword arguments (tensors among them as `[layer, node, tensor]`), and the ranks of the tensors."""

    layer: str
    op: str
    inputs: tuple[tuple, ...]
    listed: bool
    constant: object
    kwargs: dict
    ranks: dict

    def rank(self, ref) -> int | None:
        return self.ranks.get(ref[0]) if ref else None

    def refuse(self, why: str) -> UpgradeRefused:
        return UpgradeRefused(None, f"layer {self.layer!r} calls {self.op}: {why}")


def is_ref(value: object) -> TypeGuard[list]:
    """A serialized tensor reference `[layer, node, tensor(, kwargs)]`."""
    return (
        isinstance(value, list)
        and len(value) in (3, 4)
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and isinstance(value[2], int)
    )
