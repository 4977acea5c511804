"""The bundled JSON Schemas (`schemas/` in the source tree, `modelcfg_cli.schema_files` when installed):
their names, their text, and a `referencing` registry that resolves their `$id`s. No validation here, so
`legacy/` and `scan/` can list or read a schema without importing the checks."""

from __future__ import annotations

import difflib
import json
from functools import cache, lru_cache
from pathlib import Path

from modelcfg_cli.errors import UsageError

BASE_URI = "https://modelcfg.dev/schemas/"
MODEL_SCHEMA = "model"
TOP_SUFFIX = ".schema.json"
TOP_SCHEMAS = (MODEL_SCHEMA, "rules", "policy")


def schema_root():
    """The folder holding the bundled schemas: the installed package, else the source tree."""
    try:
        from importlib.resources import files

        root = files("modelcfg_cli.schema_files")
        if root.joinpath("model.schema.json").is_file():
            return root
    except (ImportError, TypeError):
        pass
    return Path(__file__).resolve().parents[1] / "schemas"


@cache
def schema_names() -> tuple[str, ...]:
    """Every bundled schema name: `model`, `rules`, `defs/NAME` and one per layer class."""
    root = schema_root()
    layers = sorted(
        p.name[: -len(".json")] for p in root.joinpath("layers").iterdir() if p.name.endswith(".json")
    )
    defs = sorted(
        "defs/" + p.name[: -len(".json")] for p in root.joinpath("defs").iterdir() if p.name.endswith(".json")
    )
    return (*TOP_SCHEMAS, *defs, *layers)


def schema_path(name: str) -> str:
    """`model` -> `model.schema.json`, `defs/x` -> `defs/x.json`, `Conv2D` -> `layers/Conv2D.json`."""
    if name in TOP_SCHEMAS:
        return name + TOP_SUFFIX
    if name.startswith("defs/"):
        return name + ".json"
    return f"layers/{name}.json"


@cache
def schema_text(name: str) -> str | None:
    """The text of bundled schema `name`, or None when there is none (only listed names are read)."""
    if name not in schema_names():
        return None
    entry = schema_root()
    for part in schema_path(name).split("/"):  # one step at a time: a MultiplexedPath takes one
        entry = entry.joinpath(part)
    return entry.read_text(encoding="utf-8")


def load_schema(name: str) -> dict | None:
    text = schema_text(name)
    return json.loads(text) if text is not None else None


def _retrieve(uri: str):
    """Bundled schemas by `$id`, so user schemas can `$ref` them (e.g. `.../layers/Dense.json`)."""
    from referencing import Resource
    from referencing.exceptions import NoSuchResource

    relative = uri.removeprefix(BASE_URI)
    name = relative.removesuffix(TOP_SUFFIX) if relative.endswith(TOP_SUFFIX) else None
    name = name or relative.removesuffix(".json").removeprefix("layers/")
    schema = load_schema(name) if uri.startswith(BASE_URI) else None
    if schema is None:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # an attrs class mypy cannot see into
    return Resource.from_contents(schema)


@lru_cache(maxsize=1)
def registry():
    """A registry holding every shared definition, crawled once (a lookup then costs nothing)."""
    from referencing import Registry, Resource

    names = [MODEL_SCHEMA, *(n for n in schema_names() if n.startswith("defs/"))]
    resources = [(BASE_URI + schema_path(n), Resource.from_contents(load_schema(n))) for n in names]
    registry = Registry(retrieve=_retrieve)  # type: ignore[call-arg]  # attrs, as above
    return registry.with_resources(resources).crawl()


def find_schema(name: str) -> str:
    """The bundled schema name for `name` (`Conv2D`, `layers/Conv2D`, `defs/initializer`, `model`)."""
    names = schema_names()
    wanted = name.removesuffix(".json").removesuffix(".schema")
    for candidate in (wanted, wanted.removeprefix("layers/"), f"defs/{wanted}"):
        if candidate in names:
            return candidate
    close = difflib.get_close_matches(wanted, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `modelcfg schema --list` shows them all"
    raise UsageError(None, f"no bundled schema named {name!r}{hint}")


HUB_SCHEMAS = "keras_hub.schema.json"  # keras-hub's classes, by registered name (scripts/hubschemas.py)


@cache
def _schemas() -> dict:
    entry = schema_root().joinpath(HUB_SCHEMAS)
    if not entry.is_file():
        return {}
    return json.loads(entry.read_text(encoding="utf-8")).get("$defs", {})


def schema_for_class(registered: object) -> dict | None:
    """The constructor schema of a keras-hub class by its registered name, or None."""
    return _schemas().get(registered) if isinstance(registered, str) else None
