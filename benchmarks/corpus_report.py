"""Run every modelcfg command on every model of a corpus and check each `--keep-weights` clone.

Not a test: it reads `../shared/corpus` (or the folder given) when present. For every model file and
SavedModel folder it runs `dump`, `inspect`, `validate --upgrade`, `scan`, `textconv` and
`clone SOURCE -o OUT.keras --keep-weights` with this worktree's `modelcfg`. A clone that exits 0 is
checked independently of modelcfg: every tensor stored in the source (read here with h5py, or with
TensorFlow's checkpoint reader from `TF_PYTHON` for a SavedModel's `variables/`) must be in the clone's
`model.weights.h5` bit for bit (Keras 1 per-gate arrays may be slices of one Keras 3 array). Where
the corpus holds reference outputs (`reference/io.npz`), the clone must reproduce them; then, as a
cross-check, `modelcfg diff SOURCE OUT --weights` must list no changed tensor and `modelcfg compare
SOURCE OUT` must find the outputs equal. Clone outcomes:
- all weights: exit 0 and every stored tensor found (or the source stores none);
- refused: exit 1 or 2 with one `modelcfg: error:` line (quoted in the table, without the path);
  "refused (would lose weights)" when `--keep-weights` itself refused to lose stored tensors;
- failed: a traceback, exit 0 with a tensor missing or wrong outputs, or anything else (a bug).

    python benchmarks/corpus_report.py [CORPUS_DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MODELCFG = Path(sys.executable).with_name("modelcfg")
TF_PYTHON = os.environ.get("TF_PYTHON", "/work/venvs/tf215/bin/python")
COMMANDS = {
    "dump": ["dump"],
    "inspect": ["inspect"],
    "validate": ["validate", "--upgrade"],
    "scan": ["scan"],
    "textconv": ["textconv"],
}
LOST_MARK = "--keep-weights would lose the stored weights"
SKIP_TOP = ("optimizer", "optimizer_weights", "metrics", "_compile_metrics", "compile_metrics")


def corpus_sources(folder: Path) -> list[Path]:
    """Model files two levels down, and SavedModel folders (`*/savedmodel`)."""
    files = [p for p in folder.glob("*/*") if p.is_file() and p.suffix != ".md"]
    folders = [p for p in folder.glob("*/*") if (p / "saved_model.pb").is_file()]
    return sorted(files + folders)


def run(args: list[str], timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "numpy"), "NO_COLOR": "1"}
    try:
        return subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, "", "timeout")


def h5_arrays(handle, skip_top: tuple[str, ...] = SKIP_TOP) -> list[np.ndarray]:
    """Every dataset below an open h5py group, optimizer and metric state left out."""
    import h5py

    found: list[np.ndarray] = []

    def visit(name, item):
        if isinstance(item, h5py.Dataset) and name.split("/")[0] not in skip_top:
            found.append(np.asarray(item[()]))

    handle.visititems(visit)
    return found


def legacy_h5_arrays(path: Path) -> list[np.ndarray]:
    import h5py

    with h5py.File(path, "r") as handle:
        if "model_weights" in handle:
            return h5_arrays(handle["model_weights"])
        if "layer_names" in handle.attrs:
            return h5_arrays(handle)
        return []


def zip_arrays(path: Path) -> list[np.ndarray]:
    """The tensors of a `.keras` zip (`model.weights.h5` or `.npz`); a legacy h5 named `.keras` too."""
    import h5py

    if not zipfile.is_zipfile(path):
        return legacy_h5_arrays(path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        h5_names = sorted(n for n in names if n.endswith(".weights.h5"))
        found: list[np.ndarray] = []
        for name in h5_names:
            with h5py.File(io.BytesIO(archive.read(name)), "r") as handle:
                found += h5_arrays(handle)
        if "model.weights.npz" in names:
            with np.load(io.BytesIO(archive.read("model.weights.npz")), allow_pickle=False) as npz:
                found += [npz[key] for key in npz.files]
        return found


CKPT_SCRIPT = """
import sys, numpy as np, tensorflow as tf
reader = tf.train.load_checkpoint(sys.argv[1])
keep = {}
for key in reader.get_variable_to_shape_map():
    if "OPTIMIZER_SLOT" in key or not key.endswith("VARIABLE_VALUE"):
        continue
    if key.startswith(("optimizer", "keras_api/metrics", "save_counter")):
        continue
    keep[key.replace("/", "|")] = reader.get_tensor(key)
np.savez(sys.argv[2], **keep)
"""


def savedmodel_arrays(folder: Path, scratch: Path) -> list[np.ndarray] | str:
    """A SavedModel's variables read by TensorFlow itself (another venv), or why they could not be."""
    if not (folder / "variables").is_dir():
        return []
    if not Path(TF_PYTHON).exists():
        return f"no TensorFlow at {TF_PYTHON} to read variables/"
    out = scratch / (folder.parent.name + "__vars.npz")
    done = run([TF_PYTHON, "-c", CKPT_SCRIPT, str(folder / "variables" / "variables"), str(out)])
    if done.returncode != 0:
        return "TensorFlow could not read variables/: " + done.stderr.strip().splitlines()[-1]
    with np.load(out) as npz:
        return [npz[key] for key in npz.files]


def source_arrays(source: Path, scratch: Path) -> list[np.ndarray] | str:
    if source.is_dir():
        return savedmodel_arrays(source, scratch)
    head = source.read_bytes()[:8]
    if head.startswith(b"PK"):
        return zip_arrays(source)
    if head.startswith(b"\x89HDF"):
        return legacy_h5_arrays(source)
    return []


def _slices(big: np.ndarray, shape: tuple[int, ...]):
    """`big` cut along its last axis into pieces of `shape` (Keras 1 gates concatenated)."""
    if big.ndim != len(shape) or big.shape[:-1] != shape[:-1] or not shape or shape[-1] == 0:
        return
    step = shape[-1]
    if big.shape[-1] % step:
        return
    for start in range(0, big.shape[-1], step):
        yield big[..., start : start + step]


def missing_tensors(stored: list[np.ndarray], clone: list[np.ndarray]) -> list[str]:
    """Stored tensors with no bit-exact match in the clone (each clone array used once)."""
    by_key: dict[tuple, int] = {}
    for array in clone:
        key = (array.shape, array.dtype.str, array.tobytes())
        by_key[key] = by_key.get(key, 0) + 1
    missing = []
    for array in stored:
        key = (array.shape, array.dtype.str, array.tobytes())
        if by_key.get(key, 0) > 0:
            by_key[key] -= 1
            continue
        if any(
            np.array_equal(piece, array) and piece.dtype == array.dtype
            for big in clone
            for piece in _slices(big, array.shape)
        ):
            continue
        missing.append(f"{array.dtype}{list(array.shape)}")
    return missing


def reference_problem(source: Path, out: Path) -> str:
    """'' when the clone reproduces the corpus's reference outputs (or there are none)."""
    reference = source.parent / "reference" / "io.npz"
    if not reference.is_file():
        return ""
    script = (
        "import sys, numpy as np, keras\n"
        "m = keras.saving.load_model(sys.argv[1], compile=False)\n"
        "d = np.load(sys.argv[2])\n"
        "y = np.asarray(m.predict(d['x0'], verbose=0))\n"
        "print(float(np.max(np.abs(y - d['y0']))))\n"
    )
    done = run([sys.executable, "-c", script, str(out), str(reference)])
    if done.returncode != 0:
        return "reference predict failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    worst = float(done.stdout.strip().splitlines()[-1])
    return "" if worst <= 1e-5 else f"outputs differ from reference/io.npz by {worst:.3g}"


def error_line(done: subprocess.CompletedProcess) -> str:
    """The last `modelcfg: error:` line without its prefix and path, else the last line of stderr."""
    lines = [line for line in done.stderr.splitlines() if line.startswith("modelcfg: error:")]
    if lines:
        return lines[-1].split(": ", 3)[-1]
    return (done.stderr.strip().splitlines() or ["no message"])[-1]


def clone_outcome(source: Path, folder: Path, stored: list[np.ndarray] | str) -> tuple[str, str, int]:
    out = folder / (source.parent.name + "__" + source.stem + ".keras")
    out.unlink(missing_ok=True)
    done = run([str(MODELCFG), "clone", str(source), "-o", str(out), "--keep-weights"])
    if "Traceback" in done.stderr:
        return "failed", "traceback: " + error_line(done), done.returncode
    if done.returncode != 0:
        status = "refused" if done.returncode in (1, 2) and not out.exists() else "failed"
        if status == "refused" and LOST_MARK in done.stderr:
            status = "refused (would lose weights)"
        return status, f'"{error_line(done)}"', done.returncode
    if isinstance(stored, str):
        return "unchecked", stored, 0
    lost = missing_tensors(stored, zip_arrays(out))
    if lost:
        return "MISSING", f"{len(lost)} of {len(stored)} stored tensors not in the clone: {lost[:4]}", 0
    problem = reference_problem(source, out) or (cross_check(source, out) if stored else "")
    if problem:
        return "failed", problem, 0
    note = f"{len(stored)} stored tensors, all bit-exact" if stored else "the source stores no tensors"
    return "all weights", note, 0


def cross_check(source: Path, out: Path) -> str:
    """'' when `modelcfg diff --weights` lists no changed tensor and `modelcfg compare` finds the
    outputs equal; else what they said."""
    diff = run([str(MODELCFG), "diff", str(source), str(out), "--weights", "--format", "json"])
    if diff.returncode not in (0, 1):
        return "diff --weights: " + error_line(diff)
    changed = [c for c in json.loads(diff.stdout)["changes"] if c["kind"] == "weights"]
    if changed:
        return f"diff --weights lists {len(changed)} changed tensors, first {changed[0]['layer']}"
    compare = run([str(MODELCFG), "compare", str(source), str(out)])
    return "" if compare.returncode == 0 else "compare: " + error_line(compare)


def command_exits(source: Path) -> tuple[dict[str, int], list[str]]:
    exits, tracebacks = {}, []
    for name, args in COMMANDS.items():
        done = run([str(MODELCFG), *args, str(source)], timeout=300)
        exits[name] = done.returncode
        if "Traceback" in done.stderr or done.returncode not in (0, 1, 2):
            tracebacks.append(f"{name}: {error_line(done)}")
    return exits, tracebacks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=None, help="where the clones go [a temp folder]")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    folder = args.out or Path(tempfile.mkdtemp(prefix="corpus-clones-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    print("| file | " + " | ".join(COMMANDS) + " | clone | clone status |")
    print("|---" * (len(COMMANDS) + 3) + "|")
    for source in corpus_sources(args.corpus):
        exits, tracebacks = command_exits(source)
        stored = source_arrays(source, folder)
        status, detail, code = clone_outcome(source, folder, stored)
        if tracebacks:
            detail += " [internal errors: " + "; ".join(tracebacks) + "]"
        name = str(source.relative_to(args.corpus))
        count = len(stored) if isinstance(stored, list) else None
        rows.append(
            {"file": name, "exits": exits, "clone": code, "status": status, "detail": detail, "stored": count}
        )
        cells = " | ".join(str(exits[c]) for c in COMMANDS)
        print(f"| {name} | {cells} | {code} | {status}: {detail} |", flush=True)
    return summarise(rows, args.json)


def summarise(rows: list[dict], json_path: Path | None) -> int:
    total = len(rows)
    kept = sum(row["status"] == "all weights" for row in rows)
    missing = sum(row["status"] == "MISSING" for row in rows)
    refused = sum(row["status"].startswith("refused") for row in rows)
    lost = sum(row["status"] == "refused (would lose weights)" for row in rows)
    bad = ("failed", "unchecked")
    failed = sum(row["status"] in bad or "internal errors" in row["detail"] for row in rows)
    with_tensors = [row for row in rows if row["stored"]]
    kept_tensors = sum(row["status"] == "all weights" for row in with_tensors)
    print(f"\ncloned with every stored weight: {kept} of {total} ({100 * kept / max(total, 1):.0f}%)")
    print(
        f"of the {len(with_tensors)} that store tensors: {kept_tensors} "
        f"({100 * kept_tensors / max(len(with_tensors), 1):.0f}%)"
    )
    print(f"refused with one line: {refused} ({lost} of them to keep from losing stored weights)")
    print(f"failed or internal errors: {failed}")
    print(f"exit-0 clones with a stored tensor missing: {missing} (must be 0)")
    if json_path:
        json_path.write_text(json.dumps(rows, indent=1))
    return 1 if missing or failed else 0


if __name__ == "__main__":
    sys.exit(main())
