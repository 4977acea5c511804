"""What changed between two models: the structural diff (`diff.py`), a diff as rules (`emit_rules.py`), and
the `git diff` text conversion (`textconv.py`, in the layer order of `layer_order.py`) with its git
configuration (`git_setup.py`)."""
