"""The web interface: one FastAPI app serving the JSON API and the server-rendered pages.

Start with `create_app` in `app.py`; feature developers add a router module here and register it
there with one line (see `docs/web.md`).
"""
