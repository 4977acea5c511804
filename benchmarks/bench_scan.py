"""`modelcfg scan` against `keras.saving.load_model` on a ResNet50 `.keras` (weights=None), and on a
legacy `.h5` of it."""

from __future__ import annotations

from harness import HEADER, keras_model, measure, modelcfg, python, resnet50, row

BASELINE = "import keras, sys; keras.saving.load_model(sys.argv[1])"


def main() -> list[str]:
    lines = []
    for label, path in (
        ("scan ResNet50 .keras vs load_model", resnet50()),
        (
            "scan ResNet50 .h5 vs load_model",
            keras_model("resnet50", "keras.applications.ResNet50(weights=None)", "h5"),
        ),
    ):
        ours = measure(modelcfg("scan", str(path)), repeat=5)
        theirs = measure([*python(BASELINE), str(path)], repeat=2)
        lines.append(row(label, ours, theirs, "<= 0.1"))
    return lines


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(main()))
