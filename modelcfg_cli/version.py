"""The versions of modelcfg and of the installed Keras, from package metadata (Keras is not imported)."""

from __future__ import annotations


def version_text() -> str:
    """`modelcfg X (keras Y)`, read from package metadata without importing Keras."""
    from importlib import metadata

    try:
        own = metadata.version("modelcfg")
    except metadata.PackageNotFoundError:
        own = "unknown"
    try:
        keras = metadata.version("keras")
    except metadata.PackageNotFoundError:
        keras = "not installed"
    return f"modelcfg {own} (keras {keras})"
