"""`clone --check`: the source (the document the clone was planned from, not read again) and the clone
just written, run on the same inputs and compared as `compare` does. The clone is kept in every case."""

from __future__ import annotations

from dataclasses import dataclass, replace

from modelcfg_cli.document import ModelDocument
from modelcfg_cli.errors import ModelcfgError
from modelcfg_cli.keras_side.compare import CompareOptions, Comparison, compare_loaded
from modelcfg_cli.keras_side.loading import load_document, load_source


@dataclass(frozen=True)
class CloneCheck:
    """The comparison of source and clone, or why they could not be compared."""

    out: str
    comparison: Comparison | None = None
    error: str | None = None

    @property
    def equal(self) -> bool:
        return self.comparison is not None and self.comparison.equal


def check_clone_outputs(source: ModelDocument, out: str, options: CompareOptions) -> CloneCheck:
    """Compare `source` (with its own stored weights, not a `--weights` file) with the clone at `out`."""
    unsafe, max_config_bytes = options.unsafe, options.max_config_bytes
    own = replace(source.origin, weights_file=None)
    reference = ModelDocument(source.envelope, source.metadata, source.label, source.path, source.data, own)
    try:
        comparison = compare_loaded(
            lambda keras: load_document(keras, reference, unsafe=unsafe),
            lambda keras: load_source(keras, out, unsafe=unsafe, max_config_bytes=max_config_bytes),
            labels=(source.label, out),
            options=options,
        )
    except ModelcfgError as exc:
        return CloneCheck(out, error=str(exc))
    return CloneCheck(out, comparison)
