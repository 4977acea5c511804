"""`compare --weights-a/--weights-b FILE`: a model's weights from a file given apart from it, all or none.

`clone --weights` re-initialises what does not fit and says so; outputs compared that way would come
partly from random weights, so here every tensor of the file must find its layer (same path, same
shapes) and every layer with weights must find its tensors, or the model is refused.
"""

from __future__ import annotations

from modelcfg_cli.errors import SourceError
from modelcfg_cli.keras_side.transfer import transfer_weights
from modelcfg_cli.weights.stored import document_weights


def carry_given_weights(context) -> None:
    """Post-build step: the `--weights-a/-b` file's tensors into the built model, or a `SourceError`."""
    doc = context.source
    weights_file = doc.origin.weights_file
    report = transfer_weights(context.model, document_weights(doc))
    if not report.stored:
        raise SourceError(weights_file, "holds no weights")
    misfits = report.reinitialised + report.dropped
    if misfits:
        path, why = misfits[0]
        more = f" (and {len(misfits) - 1} more)" if len(misfits) > 1 else ""
        raise SourceError(weights_file, f"its tensors do not fit {doc.label}: {path}: {why}{more}")
    context.notes.extend(report.lines())
