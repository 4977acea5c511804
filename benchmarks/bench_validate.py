"""`modelcfg validate` against `keras.saving.load_model` on a ResNet50 `.keras` (weights=None)."""

from __future__ import annotations

from harness import HEADER, LOAD_MODEL, resnet50, versus


def main() -> list[str]:
    return [
        versus("validate ResNet50 .keras vs load_model", ("validate",), resnet50(), LOAD_MODEL, "<= 0.15", 5)
    ]


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(main()))
