"""`modelcfg clone` (no rules) against the bare Keras way (`load_model`, `clone_model`, `save`), and
`clone --keep-weights` against `load_model` + `save`, on a ResNet50 `.keras` (weights=None), each in a
fresh process, in one run."""

from __future__ import annotations

import tempfile
from pathlib import Path

from harness import HEADER, measure, modelcfg, python, resnet50, row

BASELINE = (
    "import keras, sys\n"
    "model = keras.saving.load_model(sys.argv[1])\n"
    "keras.models.clone_model(model).save(sys.argv[2])\n"
)
KEEP_BASELINE = "import keras, sys\nkeras.saving.load_model(sys.argv[1]).save(sys.argv[2])\n"


def main() -> list[str]:
    path = resnet50()
    with tempfile.TemporaryDirectory() as folder:
        ours_out, theirs_out = Path(folder, "ours.keras"), Path(folder, "theirs.keras")
        ours = measure(modelcfg("clone", str(path), "-o", str(ours_out)), repeat=3)
        theirs = measure([*python(BASELINE), str(path), str(theirs_out)], repeat=3)
        keep = measure(modelcfg("clone", str(path), "-o", str(ours_out), "--keep-weights"), repeat=3)
        saved = measure([*python(KEEP_BASELINE), str(path), str(theirs_out)], repeat=3)
    return [
        row("clone ResNet50 .keras (no rules) vs load_model+clone_model+save", ours, theirs, "<= 1.3"),
        row("clone --keep-weights ResNet50 .keras vs load_model+save", keep, saved, "<= 1.3"),
    ]


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(main()))
