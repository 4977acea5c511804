"""`modelcfg scan --explain RULE`: what each scan rule means, which Keras versions run the code it finds,
and the public advisories (CVE ids, affected versions, the advisory's address) that apply to it.

Ids and version ranges are taken only from the advisories cited next to them.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

WIDTH = 100


@dataclass(frozen=True)
class Advisory:
    cve: str
    affected: str
    what: str
    url: str


@dataclass(frozen=True)
class Explanation:
    title: str
    text: str
    keras: str
    advisories: tuple[Advisory, ...] = ()


CVE_2024_3660 = Advisory(
    "CVE-2024-3660",
    "Keras < 2.13",
    "a Lambda layer's code runs when any model format is loaded; 2.13 added safe_mode for .keras files",
    "https://www.kb.cert.org/vuls/id/253266",
)
CVE_2025_9905 = Advisory(
    "CVE-2025-9905",
    "Keras >= 3.0.0, < 3.11.3",
    "load_model ignores safe_mode=True for .h5/.hdf5 files and runs their Lambda layers",
    "https://github.com/advisories/GHSA-36rr-ww3j-vrjv",
)
CVE_2025_9906 = Advisory(
    "CVE-2025-9906",
    "Keras < 3.11.0",
    "a config.json that calls keras.config.enable_unsafe_deserialization() turns safe_mode off, then a "
    "Lambda layer runs its code",
    "https://github.com/advisories/GHSA-36fq-jgmw-4r9c",
)
CVE_2025_1550 = Advisory(
    "CVE-2025-1550",
    "Keras >= 3.0.0, < 3.9.0",
    "config.json names arbitrary Python modules and functions, which load_model imports and calls even "
    "with safe_mode=True",
    "https://github.com/advisories/GHSA-48g7-3x6r-xfhp",
)
CVE_2025_8747 = Advisory(
    "CVE-2025-8747",
    "Keras >= 3.0.0, < 3.11.0",
    "a safe_mode bypass through Keras's own functions (keras.utils.get_file and the like) called from "
    "a crafted .keras config",
    "https://github.com/advisories/GHSA-c9rc-mg46-23w3",
)
CVE_2025_49655 = Advisory(
    "CVE-2025-49655",
    "Keras >= 3.11.0, < 3.11.3",
    "a TorchModuleWrapper layer's torch.load runs its pickle despite safe_mode",
    "https://nvd.nist.gov/vuln/detail/CVE-2025-49655",
)
CVE_2026_1462 = Advisory(
    "CVE-2026-1462",
    "Keras < 3.13.2, per the CVE record",
    "a TFSMLayer loads an attacker's TensorFlow SavedModel despite safe_mode",
    "https://github.com/advisories/GHSA-4f3f-g24h-fr8m",
)

EXPLANATIONS = {
    "lambda": Explanation(
        "A Lambda layer",
        "The layer holds Python code: marshalled bytecode (Keras 2's [code, defaults, closure] list, "
        "Keras 3's __lambda__ object) or the name of a function and its module. Loading the model "
        "unmarshals or imports it and the code runs on every call of the layer.",
        "Every Keras runs it. Keras 2.13+ and 3 refuse .keras Lambdas by default (safe_mode=True), "
        "but not in every format or version: see the advisories.",
        (CVE_2024_3660, CVE_2025_9905, CVE_2025_9906),
    ),
    "foreign-function": Explanation(
        "A function from outside Keras",
        "A serialized function ({'class_name': 'function'}) from a module outside Keras, a Python "
        "builtin such as eval, marshalled bytecode outside a Lambda, a tf.* op called by name, or a "
        "Keras function that reaches outside the model (get_file, enable_unsafe_deserialization, "
        "load_model).",
        "Keras before 3.9 imports the named module while loading; later versions need the function "
        "registered, but Keras's own risky functions stay callable.",
        (CVE_2025_1550, CVE_2025_8747, CVE_2025_9906),
    ),
    "foreign-module": Explanation(
        "A class from a module outside Keras",
        "A serialized object whose 'module' is not Keras or its ecosystem (keras_hub, keras_nlp, "
        "keras_cv, keras_rs, tf_keras). Loading imports that module, which runs its top-level code.",
        "Keras 3 before 3.9 imports any module a config names.",
        (CVE_2025_1550,),
    ),
    "external-graph": Explanation(
        "A layer that loads code from elsewhere",
        "TFSMLayer (loads a TensorFlow SavedModel from a path), TorchModuleWrapper (torch.load of a "
        "pickled module stored in the config; what that pickle imports is listed), JaxLayer and "
        "FlaxLayer (callables from user code), TF Hub's KerasLayer, tf.keras's TensorFlowOpLayer.",
        "Every Keras 3 that has these layers; safe_mode did not cover them in the versions below.",
        (CVE_2025_49655, CVE_2026_1462),
    ),
    "pickle": Explanation(
        "A pickle",
        "A pickle in the archive or folder (found by its opcodes, any protocol, or by its name), a numpy "
        "array of Python objects (.npy or .npz anywhere: numpy.load(allow_pickle=True) unpickles it), a "
        "pickle inside a nested zip, or a weights file that is a pickle. Unpickling runs whatever the "
        "pickle imports and calls; the finding lists those callables (read with pickletools, nothing "
        "unpickled) and marks the dangerous ones (os.system, subprocess.*, builtins.eval, ...).",
        "Keras itself never writes pickles into a .keras file; code that loads these members does.",
    ),
    "python-source": Explanation(
        "Python source in the model",
        "A .py (or compiled .pyc) file in a .keras archive or model folder, for example an __init__.py "
        "at the root of the zip, which makes the extracted folder an importable package.",
        "Keras never writes Python source into a model; a loader or user that imports it runs it.",
    ),
    "unexpected-member": Explanation(
        "A file Keras does not write",
        "Any member of a .keras zip or model folder but config.json, metadata.json, model.weights.h5/.npz "
        "and assets/ data (a warning); nested archives, paths that leave the folder, symlinks, duplicate "
        "names and weights that are not what their name says (errors).",
        "Keras ignores most of these, but they can hide payloads for other tools.",
    ),
    "custom-class": Explanation(
        "A custom class or function",
        "A registered custom object (package>Name), a layer class Keras does not have, or a loss, metric "
        "or initializer class or name Keras does not know: loading needs the code that defines it.",
        "Every Keras: the code comes from the package you install, so review that package.",
    ),
}


def explain(rule: str) -> str:
    """The explanation of `rule` as text lines; KeyError for an unknown rule."""
    entry = EXPLANATIONS[rule]
    lines = [f"{rule}: {entry.title}", "", _fill(entry.text), "", _fill(f"Keras versions: {entry.keras}")]
    if entry.advisories:
        lines += ["", "Advisories:"]
        for advisory in entry.advisories:
            lines.append(_fill(f"{advisory.cve} ({advisory.affected}): {advisory.what}", "  ", "    "))
            lines.append(f"    {advisory.url}")
    return "\n".join(lines) + "\n"


def _fill(text: str, first: str = "", rest: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=first, subsequent_indent=rest)
