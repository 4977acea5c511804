"""`scan`: code-bearing places in a saved model (`model.py` walks the config, `archive.py` the members of a
`.keras` zip or folder, `weights.py` the weights file, `bytecode.py` marshalled code), and the driver over
many sources (`batch.py`). Names only: nothing is imported, unmarshalled or unpickled."""
