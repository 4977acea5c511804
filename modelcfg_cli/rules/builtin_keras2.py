"""`builtin:keras2`: the legacy upgrade (Keras 1/2, tf.keras -> Keras 3) as a built-in rule set."""

from __future__ import annotations

from modelcfg_cli.document import ModelDocument
from modelcfg_cli.legacy.upgrade import needs_upgrade, upgrade_envelope


def keras2(envelope: dict, metadata: dict) -> tuple[dict, list[str]]:
    """Rewrite a Keras 1/2 or tf.keras config into what Keras 3 `from_config` accepts."""
    if not needs_upgrade(ModelDocument(envelope, metadata, "builtin:keras2")):
        return envelope, ["already a Keras 3 config: nothing to upgrade"]
    return upgrade_envelope(envelope, metadata)
