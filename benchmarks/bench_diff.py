"""`modelcfg diff` against deepdiff on two ResNet152 configs that differ in one field, in one run."""

from __future__ import annotations

import json
import time
import zipfile

from harness import CACHE, keras_model, measure, modelcfg, python

LAYER, FIELD, OLD, NEW = "predictions", "units", 1000, 10
DEEPDIFF = (
    "import json, sys; from deepdiff import DeepDiff; DeepDiff(*(json.load(open(p)) for p in sys.argv[1:]))"
)


def configs() -> tuple:
    """Paths of ResNet152's to_json() and of a copy with `predictions` units 1000 -> 10 (cached)."""
    path_a, path_b = CACHE / "resnet152.json", CACHE / "resnet152_units10.json"
    if not path_b.exists():
        model = keras_model("resnet152", "keras.applications.ResNet152(weights=None)")
        with zipfile.ZipFile(model) as archive:
            config = json.loads(archive.read("config.json"))
        path_a.write_text(json.dumps(config))
        layer = next(entry for entry in config["config"]["layers"] if entry["name"] == LAYER)
        assert layer["config"][FIELD] == OLD
        layer["config"][FIELD] = NEW
        path_b.write_text(json.dumps(config))
    return path_a, path_b


def best_of(repeat: int, function) -> tuple[float, object]:
    """Best wall time of `function()` over `repeat` calls, and its last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> list[str]:
    from deepdiff import DeepDiff

    from modelcfg_cli.diffing.diff import diff
    from modelcfg_cli.sources import read_document

    path_a, path_b = configs()
    doc_a, doc_b = read_document(str(path_a)), read_document(str(path_b))
    data_a, data_b = json.loads(path_a.read_text()), json.loads(path_b.read_text())
    ours, changes = best_of(5, lambda: diff(doc_a, doc_b))
    theirs, reference = best_of(2, lambda: DeepDiff(data_a, data_b))
    found = [(c.kind, c.layer, c.path, c.old, c.new) for c in changes]
    assert found == [("changed", LAYER, FIELD, OLD, NEW)], found
    assert len(reference["values_changed"]) == 1, reference
    command = measure(modelcfg("diff", str(path_a), str(path_b)), ok_codes=(1,))
    baseline = measure([*python(DEEPDIFF), str(path_a), str(path_b)], repeat=2)
    layers = sum(1 for _ in doc_a.layers())
    return [
        f"diff: ResNet152 configs ({layers} layers) differing in {LAYER}.{FIELD} {OLD} -> {NEW}",
        "",
        "| diff vs deepdiff.DeepDiff (best run) | modelcfg | deepdiff | ratio | goal |",
        "|---|---|---|---|---|",
        f"| core diff() in-process | {ours:.4f} s | {theirs:.3f} s | {ours / theirs:.4f} | <= 0.1 |",
        f"| `modelcfg diff` command vs DeepDiff in-process | {command[0]:.3f} s | {theirs:.3f} s "
        f"| {command[0] / theirs:.3f} | <= 0.1 |",
        f"| `modelcfg diff` command vs a DeepDiff command (both: startup, reading both files) "
        f"| {command[0]:.3f} s | {baseline[0]:.3f} s | {command[0] / baseline[0]:.3f} | <= 0.1 |",
    ]


if __name__ == "__main__":
    print("\n".join(main()))
