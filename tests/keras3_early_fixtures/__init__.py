"""Keras 3.0.5 and 3.2.1 `.keras` files (made by `generate.py` in those versions' venvs) and their
reference inputs, outputs and weights."""
