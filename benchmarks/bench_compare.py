"""`modelcfg compare` of a ResNet50 `.keras` (weights=None) with its `clone --keep-weights` against the
bare Keras way (load both with `load_model`, predict one seeded batch of 4, take the largest difference),
each in a fresh process, in one run."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from harness import ENV, HEADER, measure, modelcfg, python, resnet50, row

BASELINE = (
    "import keras, numpy as np, sys\n"
    "a = keras.saving.load_model(sys.argv[1], compile=False)\n"
    "b = keras.saving.load_model(sys.argv[2], compile=False)\n"
    "x = np.random.default_rng(0).standard_normal((4, 224, 224, 3)).astype('float32')\n"
    "print(np.abs(a.predict_on_batch(x) - b.predict_on_batch(x)).max())\n"
)


def main() -> list[str]:
    path = resnet50()
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder, "clone.keras")
        subprocess.run(
            modelcfg("clone", str(path), "-o", str(clone), "--keep-weights"),
            env=ENV,
            check=True,
            capture_output=True,
        )
        ours = measure(modelcfg("compare", str(path), str(clone)), repeat=3)
        theirs = measure([*python(BASELINE), str(path), str(clone)], repeat=3)
    return [row("compare ResNet50 .keras with its clone vs 2x load_model + predict", ours, theirs, "<= 1.3")]


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(main()))
