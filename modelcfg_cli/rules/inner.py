"""Layers inside wrappers (`Bidirectional`, `TimeDistributed`, ...) as rule sites, under the paths inspect,
scan and the reports print (`bigru/forward_gru`). Only actions that edit a layer in place reach them; an
edit of a Bidirectional's layer is made to both directions, as Keras builds both from one layer."""

from __future__ import annotations

from collections.abc import Iterator

from modelcfg_cli.document import WRAPPED_KEYS, is_model_entry, layer_name
from modelcfg_cli.rules.actions import Site

IN_PLACE_ACTIONS = frozenset({"set", "unset", "set_everywhere", "freeze", "replace"})


def inner_sites(site: Site) -> Iterator[Site]:
    """The layers wrapped by `site`'s layer, depth first; their `owner` is the layer in the model."""
    entry = site.entry
    config = entry.get("config")
    if is_model_entry(entry) or not isinstance(config, dict):
        return
    for key in WRAPPED_KEYS:
        inner = config.get(key)
        if isinstance(inner, dict) and isinstance(inner.get("class_name"), str):
            path = (*site.path, layer_name(inner) or key)
            found = Site(entry, inner, path, owner=site.owner or site.entry)
            yield found
            yield from inner_sites(found)


def both_directions(site: Site) -> list[Site]:
    """`site`, and for a Bidirectional's forward or backward layer the other direction too."""
    if site.owner is None:
        return [site]
    config = site.container.get("config")
    twins = [config.get(key) for key in WRAPPED_KEYS] if isinstance(config, dict) else []
    if site.entry not in twins or not all(isinstance(twin, dict) for twin in twins):
        return [site]
    return [
        Site(site.container, twin, site.path, owner=site.owner) for twin in twins if isinstance(twin, dict)
    ]
