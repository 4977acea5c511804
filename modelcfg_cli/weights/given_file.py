"""`--weights FILE`: a model's weights given as a file apart from its config (no Keras, no h5py here)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from modelcfg_cli.document import ModelDocument
from modelcfg_cli.errors import SourceError


def with_weights_file(doc: ModelDocument, weights: str | None, option: str = "--weights") -> ModelDocument:
    """`doc` whose weights are read from `weights` (kept as `doc.origin.weights_file`); `option` names
    the option that gave it, for the error."""
    if not weights:
        return doc
    if not Path(weights).exists():
        raise SourceError(weights, f"no such file or directory (given with {option})")
    origin = replace(doc.origin, weights_file=weights)
    return ModelDocument(doc.envelope, doc.metadata, doc.label, doc.path, origin=origin)
