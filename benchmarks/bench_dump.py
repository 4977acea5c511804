"""`modelcfg dump` against `keras.saving.load_model(...).get_config()` on ResNet50 and ResNet152."""

from __future__ import annotations

from harness import HEADER, keras_model, resnet50, versus

BASELINE = "import keras, sys; keras.saving.load_model(sys.argv[1]).get_config()"


def main() -> list[str]:
    resnet152 = keras_model("resnet152", "keras.applications.ResNet152(weights=None)")
    return [
        versus("dump ResNet50 .keras vs load_model+get_config", ("dump",), resnet50(), BASELINE, "<= 0.1"),
        versus("dump ResNet152 .keras vs load_model+get_config", ("dump",), resnet152, BASELINE, "<= 0.1"),
    ]


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(main()))
