"""Weights written by TensorFlow-era Keras, read with numpy (and h5py) only, never TensorFlow: the
checkpoint bundle of a SavedModel folder (`bundle`, `sstable`, `crc32c`), its mapping to layers
(`savedmodel`), tf.keras 2.13-2.15 `.keras` weights (`tfkeras_zip`), and shape checks (`shapes`)."""
