"""`modelcfg diff --weights` against a Keras script that loads both models and compares `get_weights()`:
ResNet50 and its `clone --keep-weights` copy, then a ~1 GiB model (four 8192x8192 Dense layers, made here
and kept in the benchmark cache, never committed) against a copy with one kernel element changed, where
the peak memory shows that modelcfg reads the tensors in slices."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

from harness import CACHE, ENV, HEADER, keras_model, measure, modelcfg, python, resnet50, row

BASELINE = (
    "import keras, sys, numpy as np\n"
    "a, b = (keras.saving.load_model(p) for p in sys.argv[1:3])\n"
    "for x, y in zip(a.get_weights(), b.get_weights()):\n"
    "    if x.shape == y.shape and not np.array_equal(x, y):\n"
    "        print(float(np.abs(x - y).max()), float(np.linalg.norm(x - y) / np.linalg.norm(x)))\n"
)
BIG = (
    "keras.Sequential([keras.Input((8192,))]"
    " + [keras.layers.Dense(8192, name=f'wide_{i}') for i in range(4)])"
)


def resnet50_clone():
    """ResNet50 rebuilt by `modelcfg clone --keep-weights` (cached)."""
    path = CACHE / "resnet50_clone.keras"
    if not path.exists():
        subprocess.run(
            modelcfg("clone", str(resnet50()), "-o", str(path), "--keep-weights"), env=ENV, check=True
        )
    return path


def big_pair():
    """The ~1 GiB model and a copy whose wide_2 kernel[7, 7] is 1.0 larger (cached)."""
    import h5py

    path_a = keras_model("wide_1gib", BIG)
    path_b = CACHE / "wide_1gib_edited.keras"
    if not path_b.exists():
        weights = CACHE / "wide_1gib_edited.weights.h5"
        with (
            zipfile.ZipFile(path_a) as archive,
            archive.open("model.weights.h5") as member,
            weights.open("wb") as out,
        ):
            shutil.copyfileobj(member, out, 16 << 20)
        with h5py.File(weights, "a") as handle:
            handle["layers/dense_2/vars/0"][7, 7] += 1.0
        with zipfile.ZipFile(path_a) as source, zipfile.ZipFile(path_b, "w") as target:
            for name in ("metadata.json", "config.json"):
                target.writestr(name, source.read(name))
            target.write(weights, "model.weights.h5")
        weights.unlink()
    return path_a, path_b


def main() -> list[str]:
    lines = []
    pairs = [
        (
            "diff --weights ResNet50 vs its --keep-weights clone vs load both + get_weights()",
            resnet50(),
            resnet50_clone(),
        ),
        ("diff --weights 1 GiB model (4 Dense 8192x8192), one element changed, vs the same", *big_pair()),
    ]
    for label, path_a, path_b in pairs:
        ours = measure(modelcfg("diff", str(path_a), str(path_b), "--weights"), repeat=3, ok_codes=(0, 1))
        theirs = measure([*python(BASELINE), str(path_a), str(path_b)], repeat=2)
        lines.append(row(label, ours, theirs, "<= 0.3"))
    return lines


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(main()))
