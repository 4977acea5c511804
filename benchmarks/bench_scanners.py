"""`modelcfg scan` beside modelscan and modelaudit on one probe set: detections, false alarms, time per file.

    python3.11 -m venv /work/venvs/peers
    /work/venvs/peers/bin/pip install "modelscan[tensorflow,h5py]==0.8.8" modelaudit==0.2.54
    .venv/bin/python benchmarks/bench_scanners.py [--peers /work/venvs/peers/bin] [--corpus DIR]
    .venv/bin/python benchmarks/bench_scanners.py --tables-only   # the tables of the last run again

The probe set: the attack probes and clean files of `tests/scan_probes.py` and the carrier model of
`tests/scan_models.py` (both built here with Keras 3), the peers' own Keras fixtures rebuilt from their
test code (`tests/peer_fixtures/data`), and the real models of the corpus (`--corpus`, default
`../shared/corpus` when it exists). Each file is scanned alone by each tool's CLI in a fresh process
(wall time per file, interpreter start included). A file is flagged when the tool reports anything:
modelcfg any finding, modelscan any issue, modelaudit any warning or critical issue. Labels: `attack`
(must be flagged), `clean` (must not be), and, in the corpus, `code` (real Lambda layers: should be
flagged) and `custom` (custom layers from a package: reported, not scored). Results go to
`benchmarks/.cache/scanners.json`; the tables are printed as Markdown.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = Path(__file__).parent / ".cache"
PEER_DATA = ROOT / "tests" / "peer_fixtures" / "data"
CORPUS_CODE = (  # real Lambda layers
    "CarND-BehavioiurCloning-P3/model.h5",
    "CarND-BehavioiurCloning-P3/model_2017-08.json",
    "dl4j-test-resources/model_lambda.h5",
)
CORPUS_CUSTOM = ("qkeras", "hgq", "garnet", "DEC-Keras", "Variational", "tfop_0")


def probe_files() -> list[tuple[str, str, str]]:
    """(group, label, path) for the hand-made probes and the carrier model."""
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    from tests.scan_models import save_code_models
    from tests.scan_probes import PROBES, write_probes

    folder = CACHE / "probes"
    paths = write_probes(folder)
    rows = [
        ("probes", "clean" if PROBES[name][0] is None else "attack", paths[name]) for name in sorted(paths)
    ]
    carrier = save_code_models(folder)
    return rows + [("probes", "attack", carrier[fmt]) for fmt in ("keras", "h5")]


def peer_files() -> list[tuple[str, str, str]]:
    expected = json.loads((PEER_DATA / "expected.json").read_text())["files"]
    rows = []
    for name, verdict in sorted(expected.items()):
        attack = verdict.get("lambda_issues", 0) > 0 or verdict.get("check") is not None
        rows.append((f"{verdict['peer']} fixtures", "attack" if attack else "clean", str(PEER_DATA / name)))
    return rows


def corpus_files(corpus: Path) -> list[tuple[str, str, str]]:
    rows = []
    for path in sorted(corpus.rglob("*")):
        if path.name == "savedmodel" or (
            path.is_file() and path.suffix in (".keras", ".h5", ".hdf5", ".json")
        ):
            if "reference" in path.parts or path.name == "SOURCES.tsv":
                continue
            rows.append(("corpus", corpus_label(str(path)), str(path)))
    return rows


def corpus_label(path: str) -> str:
    if path.endswith(CORPUS_CODE):
        return "code"
    return "custom" if any(mark in path for mark in CORPUS_CUSTOM) else "clean"


def run(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "numpy"}
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    return time.perf_counter() - start, done


def modelcfg(path: str, _bin: Path) -> tuple[float, bool, str]:
    seconds, done = run([str(ROOT / ".venv" / "bin" / "modelcfg"), "scan", "--format", "json", path])
    if not done.stdout.strip():
        return seconds, False, f"no report (exit {done.returncode})"
    report = json.loads(done.stdout)
    found = [f["rule"] for entry in report["files"] for f in entry["errors"] + entry["warnings"]]
    return seconds, bool(found), ",".join(sorted(set(found)))


def modelscan(path: str, peers: Path) -> tuple[float, bool, str]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        seconds, done = run([str(peers / "modelscan"), "-p", path, "-r", "json", "-o", str(out)])
        if not out.exists():
            return seconds, False, f"no report (exit {done.returncode})"
        report = json.loads(out.read_text())
    issues = report.get("issues", [])
    note = ",".join(sorted({i.get("operator", "?") for i in issues})) or (
        "error" if report.get("errors") else ""
    )
    return seconds, bool(issues), note


def modelaudit(path: str, peers: Path) -> tuple[float, bool, str]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        command = [str(peers / "modelaudit"), "scan", "--format", "json", "-o", str(out), path]
        seconds, done = run(command)
        if not out.exists():
            return seconds, False, f"no report (exit {done.returncode})"
        report = json.loads(out.read_text())
    issues = [i for i in report.get("issues", []) if i.get("severity") in ("warning", "critical")]
    note = f"{len(issues)} issues ({','.join(sorted({i['severity'] for i in issues}))})" if issues else ""
    return seconds, bool(issues), note


TOOLS = {"modelcfg scan": modelcfg, "modelscan 0.8.8": modelscan, "modelaudit 0.2.54": modelaudit}


def measure(files: list[tuple[str, str, str]], peers: Path) -> list[dict]:
    results = []
    for group, label, path in files:
        row = {"group": group, "label": label, "file": path}
        for tool, scan in TOOLS.items():
            seconds, flagged, note = scan(path, peers)
            row[tool] = {"seconds": round(seconds, 3), "flagged": flagged, "note": note}
        print(
            f"{Path(path).name:40} {label:7} " + " ".join(str(row[t]["flagged"])[0] for t in TOOLS),
            flush=True,
        )
        results.append(row)
        CACHE.mkdir(exist_ok=True)
        (CACHE / "scanners.partial.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def summary_table(results: list[dict]) -> str:
    lines = [
        "| tool | attacks flagged | real Lambda models flagged | false alarms on clean files | "
        "custom-layer models reported | median time per file |",
        "|---|---|---|---|---|---|",
    ]
    for tool in TOOLS:
        median = statistics.median(r[tool]["seconds"] for r in results)
        counts = " | ".join(_count(results, tool, label) for label in ("attack", "code", "clean", "custom"))
        lines.append(f"| {tool} | {counts} | {median:.2f} s |")
    return "\n".join(lines)


def _count(results: list[dict], tool: str, label: str) -> str:
    rows = [r for r in results if r["label"] == label]
    return f"{sum(r[tool]['flagged'] for r in rows)}/{len(rows)}"


def detail_table(results: list[dict]) -> str:
    lines = ["| file | label | " + " | ".join(TOOLS) + " |", "|---|---|" + "---|" * len(TOOLS)]
    for row in results:
        if row["group"] == "corpus" and row["label"] == "clean" and not any(row[t]["flagged"] for t in TOOLS):
            continue
        cells = ["yes" if row[t]["flagged"] else "-" for t in TOOLS]
        lines.append(
            f"| {row['group']}: {Path(row['file']).name} | {row['label']} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    peers = Path(_option(argv, "--peers", "/work/venvs/peers/bin"))
    corpus = Path(_option(argv, "--corpus", str(ROOT.parent / "shared" / "corpus")))
    if "--tables-only" in argv:  # the tables of the last run, corpus labels as this script gives them
        results = json.loads((CACHE / "scanners.json").read_text())
        for row in results:
            row["label"] = corpus_label(row["file"]) if row["group"] == "corpus" else row["label"]
    else:
        files = probe_files() + peer_files() + (corpus_files(corpus) if corpus.is_dir() else [])
        results = measure(files, peers)
        (CACHE / "scanners.json").write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(summary_table(results))
    print()
    print(detail_table(results))


def _option(argv: list[str], name: str, default: str) -> str:
    return argv[argv.index(name) + 1] if name in argv else default


if __name__ == "__main__":
    main(sys.argv[1:])
