"""Browser and server fixtures come from tests/conftest.py (tests/webfixtures.py)."""

from tests.webfixtures import serve_app  # noqa: F401
