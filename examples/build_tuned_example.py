"""Writes `tuned.keras`: `classifier.keras` with small noise on the `predictions` kernel and a NaN in
`bn1`'s moving mean, edited in the weights file with h5py (the README's `diff --weights` example)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).parent


def main() -> None:
    with zipfile.ZipFile(HERE / "classifier.keras") as archive:
        members = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "r+") as weights:
        kernel = weights["layers/dense/vars/0"]
        kernel[...] = kernel[()] + np.random.default_rng(0).normal(0, 0.001, kernel.shape)
        mean = weights["layers/batch_normalization/vars/2"]
        values = mean[()]
        values[0] = np.nan
        mean[...] = values
    members["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(HERE / "tuned.keras", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


if __name__ == "__main__":
    main()
