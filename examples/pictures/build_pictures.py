"""Rebuild examples/pictures/: classifier_v3.json (the classifier with a layer removed, two added, one
rewired, one renamed and one changed), and the screenshots in the README, taken with headless Chromium
(python examples/pictures/build_pictures.py, in the venv, with `chromium` on PATH)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

import keras  # noqa: E402

HERE = Path(__file__).parent
EXAMPLES = HERE.parent


def classifier_v3() -> keras.Model:
    """conv1 renamed stem_conv, bn1 removed, a residual conv block added after conv2, more dropout."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1), name="image")
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="stem_conv")(inputs)
    x = keras.layers.MaxPooling2D(name="pool1")(x)
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2")(x)
    y = keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv3")(x)
    x = keras.layers.Add(name="residual")([x, y])
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    x = keras.layers.Dropout(0.5, name="dropout")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="classifier")


def screenshot(page: Path, png: Path, size: str = "1400,1000") -> None:
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--screenshot={png}", f"--window-size={size}", page.resolve().as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def main() -> None:
    v3 = HERE / "classifier_v3.json"
    v3.write_text(json.dumps(json.loads(classifier_v3().to_json()), indent=2) + "\n")
    modelcfg = [sys.executable, "-m", "modelcfg_cli"]
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "diff.html"
        command = [
            "diff",
            "classifier.keras",
            "pictures/classifier_v3.json",
            "--format",
            "html",
            "-o",
            str(page),
        ]
        subprocess.run([*modelcfg, *command], cwd=EXAMPLES)
        screenshot(page, HERE / "diff_html.png", "1400,1200")
        resnet = Path(folder) / "resnet50.keras"
        keras.applications.ResNet50(weights=None).save(resnet)
        svg = Path(folder) / "resnet50.svg"
        subprocess.run([*modelcfg, "inspect", str(resnet), "-o", str(svg)], check=True)
        screenshot(svg, HERE / "resnet50_svg.png")


if __name__ == "__main__":
    main()
