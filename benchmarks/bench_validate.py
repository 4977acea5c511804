"""`modelcfg validate` against `keras.saving.load_model` on a ResNet50 `.keras` (weights=None)."""

from __future__ import annotations

from harness import HEADER, measure, modelcfg, python, resnet50, row

BASELINE = "import keras, sys; keras.saving.load_model(sys.argv[1])"


def main() -> list[str]:
    path = resnet50()
    ours = measure(modelcfg("validate", str(path)), repeat=5)
    theirs = measure([*python(BASELINE), str(path)], repeat=2)
    return [row("validate ResNet50 .keras vs load_model", ours, theirs, "<= 0.15")]


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(main()))
