"""`validate`: a model against the bundled and user JSON Schemas (`schemas.py`, `user_schemas.py`, errors
as sentences in `messages.py`), its graph (`graph.py`), team policies (`policies.py`), and the driver over
many sources (`validate.py`)."""
