"""Reliability fixtures: an API client over a private, writable copy of the demo home.

Requests come as a script would send them (host 127.0.0.1, no browser cookie), so they need
no CSRF token; server errors come back as 500 responses instead of raising in the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App
from socialpulse.interfaces.web.app import create_app

#: The demo's last day: goals and periods are evaluated as of it.
TODAY = "2026-10-31"


@pytest.fixture
def demo_web(demo_app: App) -> FastAPI:
    """The web app over a private copy of the demo home (tests may write through it)."""
    return create_app(demo_app.settings)


@pytest.fixture
def api(demo_web: FastAPI) -> Iterator[TestClient]:
    with TestClient(demo_web, base_url="http://127.0.0.1",
                    raise_server_exceptions=False) as c:
        yield c


def one_line_error(response: Any, status: int | None = None) -> str:
    """The message of a 4xx JSON error, checked to be one line without a traceback."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    if status is not None:
        assert response.status_code == status, response.text[:300]
    message = response.json()["error"]["message"]
    assert isinstance(message, str) and message
    assert "\n" not in message and "Traceback" not in message, message
    return message
