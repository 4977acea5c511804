"""`scan`: code-bearing places in a saved model (`model.py` walks the config, `custom.py` the custom
losses, metrics and initializers it cannot judge alone, `archive.py` the members of a `.keras` zip or
folder, `payloads.py` the pickles, numpy object arrays and Python source in them, `pickles.py` reads a
pickle's opcodes, `weights.py` the weights file, `bytecode.py` marshalled code), and the driver over many
sources (`batch.py`, with `hashes.py` and `jobs.py`); `suppress.py` drops accepted findings and
`explain.py` explains each rule. Names and bytes only: nothing is imported, unmarshalled or unpickled."""
