"""`modelcfg inspect --format svg` (own layered layout) against Graphviz `dot -Tsvg` on the same graph
(what `keras.utils.plot_model` runs), on ResNet50 and on synthetic Functional configs up to 10,000 layers."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

from bench_scale import synthetic
from harness import CACHE, measure, modelcfg, resnet50

SIZES = (1_000, 10_000)
DOT_TIMEOUT = 120.0
GOAL_10K = 5.0


def dot_time(dot_file) -> str:
    """Best of two `dot -Tsvg` runs, or why there is none."""
    if shutil.which("dot") is None:
        return "dot not installed"
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        try:
            subprocess.run(
                ["dot", "-Tsvg", "-o", "/dev/null", str(dot_file)], check=True, timeout=DOT_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            return f"> {DOT_TIMEOUT:.0f} s"
        best = min(best, time.perf_counter() - start)
    return f"{best:.3f} s"


def sources() -> list[tuple[str, str]]:
    CACHE.mkdir(exist_ok=True)
    found = [("ResNet50 .keras (177 layers)", str(resnet50()))]
    for size in SIZES:
        path = CACHE / f"synthetic_{size}.json"
        path.write_text(json.dumps(synthetic(size)))
        found.append((f"synthetic Functional, {size:,} layers", str(path)))
    return found


def main() -> list[str]:
    lines = [
        "| picture | `modelcfg inspect --format svg` | Graphviz `dot -Tsvg` (same graph) | goal |",
        "|---|---|---|---|",
    ]
    for label, source in sources():
        ours = measure(modelcfg("inspect", source, "--format", "svg"))[0]
        dot_file = CACHE / "graph.dot"
        subprocess.run(modelcfg("inspect", source, "--format", "dot", "-o", str(dot_file)), check=True)
        goal = f"<= {GOAL_10K:.0f} s" if "10,000" in label else ""
        if "10,000" in label:
            assert ours <= GOAL_10K, f"svg of 10,000 layers took {ours:.2f} s"
        lines.append(f"| {label} | {ours:.3f} s | {dot_time(dot_file)} | {goal} |")
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
