"""Tests of the keras_side/ modules, one file per module."""
