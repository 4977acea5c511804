"""modelcfg: inspect, validate, diff, rewrite and clone saved Keras model configs."""
