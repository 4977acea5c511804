"""`modelcfg dump` against `keras.saving.load_model(...).get_config()` on ResNet50 and ResNet152."""

from __future__ import annotations

from harness import HEADER, keras_model, measure, modelcfg, python, resnet50, row

BASELINE = "import keras, sys; keras.saving.load_model(sys.argv[1]).get_config()"


def main() -> list[str]:
    lines = []
    for label, path in (
        ("dump ResNet50 .keras vs load_model+get_config", resnet50()),
        (
            "dump ResNet152 .keras vs load_model+get_config",
            keras_model("resnet152", "keras.applications.ResNet152(weights=None)"),
        ),
    ):
        ours = measure(modelcfg("dump", str(path)))
        theirs = measure([*python(BASELINE), str(path)], repeat=2)
        lines.append(row(label, ours, theirs, "<= 0.1"))
    return lines


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(main()))
