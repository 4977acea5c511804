"""Stored tensors without Keras: the h5py readers (`stored.py`), the TensorFlow-era formats (`tf/`), which
file holds a model's tensors (`model_tensors.py`, `given_file.py`) and `diff --weights` (`diff.py`)."""
