"""Peak memory of `clone --keep-weights` and `compare` on a 680 MB model (an Embedding of 100,000 x 1024
and 16 Dense layers of 4096 / 1024 units), against Keras's own way (`load_model`, `clone_model`,
`set_weights`, `save`; two `load_model` + `predict`), each in a fresh process: the peak resident set
(`ru_maxrss` of the child) and its ratio to the file's size. The model is built once in
`benchmarks/.cache/` (never committed)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from harness import keras_model, measure, modelcfg, python

MODEL = (
    "keras.Sequential([keras.Input((8,), dtype='int32'), keras.layers.Embedding(100_000, 1024)]"
    " + [keras.layers.Dense(4096 if i % 2 == 0 else 1024) for i in range(16)])"
)
CLONE_BASELINE = (
    "import keras, sys\n"
    "model = keras.saving.load_model(sys.argv[1])\n"
    "clone = keras.models.clone_model(model)\n"
    "clone.set_weights(model.get_weights())\n"
    "clone.save(sys.argv[2])\n"
)
COMPARE_BASELINE = (
    "import keras, sys, numpy as np\n"
    "x = np.random.default_rng(0).integers(0, 100_000, (2, 8))\n"
    "a = keras.saving.load_model(sys.argv[1]).predict(x, verbose=0)\n"
    "b = keras.saving.load_model(sys.argv[2]).predict(x, verbose=0)\n"
    "print(np.abs(a - b).max())\n"
)
HEADER = (
    "| peak memory, 680 MB model | modelcfg | Keras | modelcfg / file | Keras / file | goal |\n"
    "|---|---|---|---|---|---|"
)


def memory_row(label: str, ours: tuple[float, float], theirs: tuple[float, float], size: float) -> str:
    return (
        f"| {label} | {ours[1]:.0f} MiB ({ours[0]:.1f} s) | {theirs[1]:.0f} MiB ({theirs[0]:.1f} s) "
        f"| {ours[1] / size:.2f}x | {theirs[1] / size:.2f}x | <= 1.5x |"
    )


def main(repeat: int = 1) -> list[str]:
    path = keras_model("memory_680mb", MODEL)
    size = path.stat().st_size / 2**20
    rows: list[str] = []
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        ours_out, theirs_out = Path(folder, "ours.keras"), Path(folder, "theirs.keras")
        clone = modelcfg("clone", str(path), "-o", str(ours_out), "--keep-weights")
        ours = measure(clone, repeat=repeat)
        theirs = measure([*python(CLONE_BASELINE), str(path), str(theirs_out)], repeat=repeat)
        rows.append(memory_row(f"clone --keep-weights ({size:.0f} MiB .keras)", ours, theirs, size))
        ours = measure(modelcfg("compare", str(path), str(ours_out)), repeat=repeat)
        theirs = measure([*python(COMPARE_BASELINE), str(path), str(theirs_out)], repeat=repeat)
        rows.append(memory_row("compare with its clone", ours, theirs, size))
    return [HEADER, *rows]


if __name__ == "__main__":
    print("\n".join(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)))
