"""`modelcfg scan` against `keras.saving.load_model` on a ResNet50 `.keras` (weights=None), and on a
legacy `.h5` of it."""

from __future__ import annotations

from harness import HEADER, LOAD_MODEL, keras_model, resnet50, versus


def main() -> list[str]:
    h5 = keras_model("resnet50", "keras.applications.ResNet50(weights=None)", "h5")
    return [
        versus("scan ResNet50 .keras vs load_model", ("scan",), resnet50(), LOAD_MODEL, "<= 0.1", repeat=5),
        versus("scan ResNet50 .h5 vs load_model", ("scan",), h5, LOAD_MODEL, "<= 0.1", repeat=5),
    ]


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(main()))
