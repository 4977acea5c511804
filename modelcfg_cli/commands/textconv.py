"""`modelcfg textconv`: a model file as stable text, for `git diff` (see `modelcfg git-setup`)."""

from __future__ import annotations

import click

from modelcfg_cli.commands.common import max_config_bytes_option
from modelcfg_cli.sources import read_document


@click.command("textconv")
@click.argument("source", metavar="FILE")
@max_config_bytes_option
def textconv_command(source, max_config_bytes):
    """Print FILE as deterministic text: header, one block per layer (fields sorted, one per line),
    and a manifest of the stored weights (path, shape, dtype, short sha256).

    git runs it through `diff.modelcfg.textconv` (set up by `modelcfg git-setup`). The same model as
    .keras, folder or .h5 gives the same text apart from the `format:` line. An HDF5 file that is not a
    whole model (a weights file, data) is listed dataset by dataset.
    """
    from modelcfg_cli.diffing.textconv import hdf5_lines, textconv_lines
    from modelcfg_cli.errors import SourceError

    try:
        lines = textconv_lines(read_document(source, max_config_bytes))
    except SourceError as exc:
        if not _is_hdf5(source):
            raise
        lines = hdf5_lines(source, exc.message)
    click.echo("\n".join(lines))


def _is_hdf5(source: str) -> bool:
    """An HDF5 file that is no whole model (a weights file, data) still gets text: git diff must not fail."""
    import h5py

    try:
        return source != "-" and h5py.is_hdf5(source)
    except OSError:
        return False
