"""Custom objects that `scan.classify` cannot tell from Keras's own by their entry alone.

A loss, metric or initializer saved as `{"class_name": "MaliciousMetric"}` (no `module`, no registered
package: how tf.keras and Keras 2 write custom objects in a legacy `.h5`'s `training_config`, and how an
attacker writes them anywhere) needs the code that defines it: a `custom-class` warning, as a custom
layer gets. And Keras's own functions that load files, fetch URLs or switch `safe_mode` off
(`keras.utils.get_file`, `keras.config.enable_unsafe_deserialization`, ...) are `foreign-function`
errors wherever a config calls them: the gadgets of CVE-2025-8747 and CVE-2025-9906.
"""

from __future__ import annotations

from collections.abc import Iterator

from modelcfg_cli.findings import ERROR, WARNING
from modelcfg_cli.scan.names import KERAS_FUNCTION_NAMES, LEGACY_NAMES

COMPILE_KEYS = ("compile_config", "training_config")
COMPILE_OBJECT_KEYS = {"loss": "loss", "metrics": "metric", "weighted_metrics": "metric"}
# Keras 2 / tf.keras classes of losses, metrics and initializers that Keras 3 no longer has.
LEGACY_CLASSES = frozenset(
    {
        "MeanRelativeError",
        "MeanTensor",
        "SumOverBatchSize",
        "SumOverBatchSizeMetricWrapper",
        "Reduction",
        "LossesContainer",
        "MetricsContainer",
    }
)
# Keras functions that reach outside the model when a config calls them.
RISKY_KERAS_FUNCTIONS = {
    "enable_unsafe_deserialization": "turns safe_mode off for the rest of the load (CVE-2025-9906)",
    "set_global_attribute": "can turn safe_mode off for the rest of the load (CVE-2025-9906)",
    "get_file": "downloads a file from a URL (CVE-2025-8747)",
    "load_model": "loads another model file, possibly with safe_mode off",
    "load_weights": "reads another file",
    "model_from_json": "builds another model from a config",
    "deserialize_keras_object": "builds any object its argument names",
}


def custom_objects(node: dict, pointer: str, hit) -> Iterator:
    """Hits (built with `hit(pointer, rule, severity, message, class_name)`) for unknown loss, metric and
    initializer classes under `node`'s own keys, and for a risky Keras function `node` itself is."""
    risky = _risky_function(node, pointer, hit)
    if risky is not None:
        yield risky
    for key, value in node.items():
        if isinstance(key, str) and key.endswith("_initializer") and isinstance(value, dict):
            yield from _unknown(value, f"{pointer}/{key}", "initializer", hit)
    for compile_key in COMPILE_KEYS:
        compile_config = node.get(compile_key)
        if isinstance(compile_config, dict):
            for key, what in COMPILE_OBJECT_KEYS.items():
                for where, value in _objects(compile_config.get(key), f"{pointer}/{compile_key}/{key}"):
                    yield from _unknown(value, where, what, hit)


def _objects(value: object, pointer: str) -> Iterator[tuple[str, dict]]:
    """Every serialized object (a dict with a `class_name`) in a loss or metrics entry, nested in lists
    or per-output dicts."""
    if isinstance(value, dict) and "class_name" in value:
        yield pointer, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects(item, f"{pointer}/{index}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _objects(item, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")


def _unknown(value: dict, pointer: str, what: str, hit) -> Iterator:
    name = value.get("class_name")
    if not isinstance(name, str) or name.startswith("__") or name == "function":
        return
    if isinstance(value.get("module"), str) or ">" in name or ">" in str(value.get("registered_name")):
        return  # `scan.class_hit` judges objects that name their module or package
    if name in KERAS_FUNCTION_NAMES or name in LEGACY_NAMES or name in LEGACY_CLASSES:
        return
    message = f"{what} class {name} is not a Keras built-in: loading needs the code that defines it"
    yield hit(pointer, "custom-class", WARNING, message, name)


def _risky_function(node: dict, pointer: str, hit):
    if node.get("class_name") != "function":
        return None
    module, name = node.get("module"), node.get("config")
    if not isinstance(module, str) or module.split(".", 1)[0] not in ("keras", "tf_keras"):
        return None
    if name not in RISKY_KERAS_FUNCTIONS:
        return None
    message = f"calls {module}.{name}, which {RISKY_KERAS_FUNCTIONS[name]}"
    return hit(pointer, "foreign-function", ERROR, message)
