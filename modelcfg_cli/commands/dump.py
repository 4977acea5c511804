"""`modelcfg dump`: print a model's config as JSON or YAML."""

from __future__ import annotations

from typing import Any

import click

from modelcfg_cli.commands.common import color_of, max_config_bytes_option
from modelcfg_cli.document import CONFIG_FILE, SHARED_ID_KEYS, resolve_pointer
from modelcfg_cli.errors import EXIT_FOUND, SourceError, UsageError
from modelcfg_cli.files import data_format, write_atomic
from modelcfg_cli.output import emit_data, to_text
from modelcfg_cli.sources import read_document


@click.command()
@click.argument("source")
@click.option("--full", is_flag=True, help="The whole serialized object as stored, not get_config().")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "yaml"]),
    help="[default: from -o FILE's extension, else json]",
)
@click.option("--indent", type=click.IntRange(min=0), default=2, show_default=True)
@click.option("--sort-keys", is_flag=True, help="Sort object keys.")
@click.option("--layer", "layer_name", metavar="NAME", help="Only this layer's entry (nested too).")
@click.option("--pointer", metavar="/JSON/POINTER", help="Only the value at this RFC 6901 pointer.")
@click.option("--upgrade", is_flag=True, help="Upgrade a Keras 1/2 config to Keras 3 first (builtin:keras2).")
@click.option("--strict", is_flag=True, help="With --upgrade: a dropped non-default value is a failure.")
@click.option("--metadata", "show_metadata", is_flag=True, help="Keras version, date, format.")
@click.option(
    "--all",
    "every_part",
    is_flag=True,
    help="A keras-hub preset: every config it holds (backbone, tokenizer, preprocessor, task), by file.",
)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@max_config_bytes_option
@click.pass_context
def dump(
    ctx,
    source,
    full,
    fmt,
    indent,
    sort_keys,
    layer_name,
    pointer,
    upgrade,
    strict,
    show_metadata,
    every_part,
    output,
    max_config_bytes,
):
    """Print SOURCE's get_config() (what Keras would return), without importing Keras."""
    fmt = data_format(output, fmt)
    doc = read_document(source, max_config_bytes)
    if upgrade:
        doc = _upgraded(doc, strict)
    data: Any
    if show_metadata:
        data = _metadata_shown(doc)
    elif layer_name:
        data = doc.find_layer(layer_name).entry
    elif every_part:
        data = preset_configs(doc, full)
    else:
        data = doc.envelope if full else doc.envelope.get("config")
    if pointer is not None:
        data = resolve_pointer(data, pointer, doc.label)
    text = to_text(data, fmt, indent, sort_keys, drop_keys=frozenset() if full else SHARED_ID_KEYS)
    if output:
        write_atomic(output, text, protect=(doc.path,))
    else:
        emit_data(text, fmt, color_of(ctx))


def preset_configs(doc, full: bool) -> dict:
    """{file name: config} of every config a keras-hub preset holds, the backbone's first."""
    from modelcfg_cli.sources.presets import is_preset, preset_parts

    if not is_preset(doc.path):
        raise UsageError(doc.label, "--all reads a keras-hub preset folder (this is not one)")
    found = {CONFIG_FILE: doc.envelope if full else doc.envelope.get("config")}
    for part in preset_parts(doc.path):
        if part.envelope is None:
            raise SourceError(f"{doc.label}/{part.file}", part.problem or "cannot be read")
        found[part.file] = part.envelope if full else part.envelope.get("config")
    return found


def _upgraded(doc, strict: bool):
    """The upgraded document; each dropped non-default value is a warning on stderr (exit 1 with strict)."""
    from modelcfg_cli.legacy.dropped import upgrade_warnings
    from modelcfg_cli.legacy.upgrade import upgraded_with_notes

    doc, notes = upgraded_with_notes(doc)
    warnings = upgrade_warnings(notes)
    for warning in warnings:
        click.echo(f"modelcfg: warning: {doc.label}: {warning}", err=True)
    if strict and warnings:
        click.echo(
            f"modelcfg: error: {doc.label}: the upgrade dropped {len(warnings)} non-default value(s) "
            "(--strict); nothing written",
            err=True,
        )
        click.get_current_context().exit(EXIT_FOUND)
    return doc


def _metadata_shown(doc) -> dict:
    """`--metadata`: what the file says, the source format after the file's own keys (before a
    synthesized envelope's mark), and the backend ("not stored" when the file does not say)."""
    shown = {key: value for key, value in doc.metadata.items() if key != "envelope"}
    shown["format"] = doc.origin.format
    if "envelope" in doc.metadata:
        shown["envelope"] = doc.metadata["envelope"]
    return {**shown, "backend": doc.metadata.get("backend", "not stored")}
