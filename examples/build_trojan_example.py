"""Build examples/trojan.keras (python examples/build_trojan_example.py, in the venv): a clean small model
with the payloads a model scanner must read without loading them, added to the zip as an attacker would.

`assets/tokenizer.pkl` is a protocol 2 pickle that calls `os.system("echo owned")` when unpickled (the
`__reduce__` trick), `assets/table.npy` a numpy array of Python objects (its data is a pickle that calls
`subprocess.check_output`), and `__init__.py` at the root of the zip turns the extracted folder into a
package. Nothing here is ever unpickled: `modelcfg scan` reads the opcodes.
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import zipfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).parent


class Owned:
    def __reduce__(self):
        return os.system, ("echo owned",)


class Listing:
    def __reduce__(self):
        return subprocess.check_output, (["ls"],)


def payloads() -> dict[str, bytes]:
    table = io.BytesIO()
    np.save(table, np.array([Listing()], dtype=object), allow_pickle=True)
    return {
        "assets/tokenizer.pkl": pickle.dumps(Owned(), protocol=2),
        "assets/table.npy": table.getvalue(),
        "__init__.py": b"import os\nos.system('echo owned')\n",
    }


def main() -> None:
    path = HERE / "trojan.keras"
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="dense")], name="trojan")
    model.save(path)
    with zipfile.ZipFile(path, "a") as archive:
        for name, data in payloads().items():
            archive.writestr(name, data)
    print(path)


if __name__ == "__main__":
    main()
