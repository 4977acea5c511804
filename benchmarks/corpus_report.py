"""Run `modelcfg clone FILE -o OUT.keras --keep-weights` on every file of a corpus and tabulate outcomes.

Not a test: it reads `../shared/corpus` (or the folder given) when present. Outcomes per file:
- loaded: `keras.saving.load_model` loads OUT, and every source layer's arrays are in it unchanged;
- refused: exit status 1 or 2 with one line naming the custom class or the Lambda that needs user code;
- lost: exit status 1 because `--keep-weights` would lose stored weights (nothing written; the report
  names the layers);
- failed: anything else (a bug).

    python benchmarks/corpus_report.py [CORPUS_DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REFUSAL_MARKS = ("Lambda", "class '", "subclassed model")
LOST_MARK = "--keep-weights would lose the stored weights"


def corpus_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*/*") if p.is_file() and p.suffix != ".md")


def run_clone(source: Path, out: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "modelcfg_cli", "clone", str(source), "-o", str(out), "--keep-weights"]
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "numpy"), "NO_COLOR": "1"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)


def check_loaded(source: Path, out: Path) -> str:
    """'' when OUT loads and holds the source's arrays, else what is wrong."""
    import keras
    import numpy as np

    from modelcfg_cli.keras_side.transfer import _keras1_gates
    from modelcfg_cli.weights.stored import read_weights

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = keras.saving.load_model(out, compile=False, safe_mode=False)
    layers = {}
    stack = [((), model)]
    while stack:
        prefix, parent = stack.pop()
        for layer in getattr(parent, "layers", []):
            path = (*prefix, layer.name)
            layers["/".join(path)] = layer
            stack.append((path, layer))
    for path, arrays in read_weights(str(source)).items():
        if path not in layers:
            return f"layer {path} missing from the clone"
        saved = layers[path].get_weights()
        arrays = _keras1_gates(arrays, len(saved))
        if len(saved) != len(arrays) or not all(
            np.array_equal(a, b) for a, b in zip(arrays, saved, strict=True)
        ):
            return f"layer {path}: weights differ from the source"
    return ""


def outcome(source: Path, folder: Path) -> tuple[str, str]:
    out = folder / (source.parent.name + "__" + source.stem + ".keras")
    out.unlink(missing_ok=True)
    done = run_clone(source, out)
    errors = [line for line in done.stderr.splitlines() if line.startswith("modelcfg: error:")]
    if done.returncode != 0:
        if done.returncode == 1 and errors and LOST_MARK in errors[-1]:
            return "lost", errors[-1].split(": ", 3)[-1]
        if len(errors) == 1 and any(mark in errors[0] for mark in REFUSAL_MARKS):
            return "refused", errors[0].split(": ", 3)[-1]
        return "failed", (errors or done.stderr.strip().splitlines() or ["no message"])[-1]
    try:
        problem = check_loaded(source, out)
    except Exception as exc:  # noqa: BLE001 - any load failure is the finding
        return "failed", f"load_model: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    weights = next((line.strip() for line in done.stdout.splitlines() if line.startswith("weights:")), "")
    return ("failed", problem) if problem else ("loaded", weights)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=None, help="where the clones go [a temp folder]")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    folder = args.out or Path(tempfile.mkdtemp(prefix="corpus-clones-"))
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for source in corpus_files(args.corpus):
        result, detail = outcome(source, folder)
        counts[result] = counts.get(result, 0) + 1
        print(f"{result:8} {source.relative_to(args.corpus)}  {detail}", flush=True)
    print("\n" + ", ".join(f"{name}: {count}" for name, count in sorted(counts.items())))
    return 1 if counts.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
