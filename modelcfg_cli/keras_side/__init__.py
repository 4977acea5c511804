"""The only place that imports Keras: backend choice, building, weight transfer, saving, verifying.

Every module here imports Keras inside functions, after `backend.choose_backend` has set the backend,
so importing this package stays cheap. Nothing outside this package imports Keras (a test checks).
"""
