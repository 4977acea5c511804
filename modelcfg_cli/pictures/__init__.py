"""Pictures of a model: its layer graph (`layergraph.py`), laid out in layers (`layering.py`, `layout.py`)
and drawn as SVG, Graphviz DOT or Mermaid; `diffgraph.py` marks a diff's changes on the graph."""
