"""The web layer: a REST API (`api.py`) and HTML pages over the same `Library`.
`create_app` in `app.py` assembles them."""
