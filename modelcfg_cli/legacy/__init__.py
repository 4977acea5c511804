"""Keras 1/2 and tf.keras configs brought to Keras 3: renamed classes and arguments, value fixes."""
