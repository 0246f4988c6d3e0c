"""Web fixtures, shared by every feature's page tests (loaded once by tests/conftest.py, so
there is one Chromium per session: two sync Playwright instances cannot run in one thread).

- ``demo_settings``: Settings of the shared, read-only demo home (session).
- ``client``: a FastAPI TestClient over the demo home (session; server errors become 500s),
  armed like a browser tab (`browser_client`): host 127.0.0.1, the CSRF cookie, and the page's
  token sent as ``X-CSRF-Token`` on every request. Tests that build their own app use
  ``with browser_client(create_app(settings)) as c:`` the same way.
- ``live_server``: the app served by uvicorn on 127.0.0.1 and a free port, in a background
  thread (session); its ``.url`` is the base URL. ``serve_app(app)`` serves any other app
  (e.g. over a private `demo_app` copy) the same way, as a context manager.
- ``browser``: one Chromium for the session (Debian's /usr/bin/chromium, else Playwright's own;
  neither: skip, or fail when $CI is set). Mark browser tests ``@pytest.mark.browser``.
- ``page``: a fresh page (own context) per test; ``page_log`` records its console errors, page
  errors and every request URL, so tests can assert nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App
from socialpulse.interfaces.web.app import create_app
from socialpulse.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def demo_settings(demo_app_ro: App) -> Settings:
    return demo_app_ro.settings


@pytest.fixture(scope="session")
def web_app(demo_settings: Settings) -> FastAPI:
    return create_app(demo_settings)


#: Tests talk to the app as 127.0.0.1 (TestClient's default "testserver" is not an allowed host).
BASE_URL = "http://127.0.0.1"


def arm(client: TestClient) -> TestClient:
    """Give ``client`` what a browser tab has: the CSRF cookie (from a real page) and that
    page's token, sent as ``X-CSRF-Token`` on every later request."""
    page = client.get("/metrics/catalogue")
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    if found is None:
        raise RuntimeError(f"no CSRF token on the catalogue page (status {page.status_code})")
    client.headers["X-CSRF-Token"] = found.group(1)
    return client


@contextmanager
def browser_client(app: FastAPI, **kwargs: Any) -> Iterator[TestClient]:
    """A TestClient over ``app`` armed like a browser tab (see `arm`); kwargs go to
    TestClient (e.g. ``raise_server_exceptions=False``)."""
    with TestClient(app, base_url=BASE_URL, **kwargs) as c:
        yield arm(c)


@pytest.fixture(scope="session")
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with browser_client(web_app, raise_server_exceptions=False) as c:
        yield c


@dataclass
class LiveServer:
    url: str
    app: FastAPI


@contextmanager
def serve_app(app: FastAPI) -> Iterator[LiveServer]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (a free port) in a thread until the block ends."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test web server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def live_server(web_app: FastAPI) -> Iterator[LiveServer]:
    with serve_app(web_app) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        if Path(CHROMIUM).exists():
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        else:
            try:
                b = p.chromium.launch(headless=True, args=CHROMIUM_ARGS)
            except Exception as exc:
                msg = f"no Chromium: neither {CHROMIUM} nor Playwright's browser ({exc})"
                if os.environ.get("CI"):
                    pytest.fail(msg)
                pytest.skip(msg)
        yield b
        b.close()


@dataclass
class PageLog:
    """What a page did: console errors, uncaught page errors, every request URL."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def foreign_hosts(self) -> list[str]:
        """Requests to anything but 127.0.0.1 (data: and blob: URLs are local)."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.hostname != "127.0.0.1":
                out.append(url)
        return out

    @property
    def errors(self) -> list[str]:
        return [*self.console_errors, *self.page_errors]


@pytest.fixture
def _page_and_log(browser: Any) -> Iterator[tuple[Any, PageLog]]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    # generous: CI has 2 shared cores; a timeout only ever costs time when a test is failing
    page.set_default_timeout(60_000)
    log = PageLog()
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("request", lambda r: log.requests.append(r.url))
    yield page, log
    context.close()


@pytest.fixture
def page(_page_and_log: tuple[Any, PageLog]) -> Any:
    return _page_and_log[0]


@pytest.fixture
def page_log(_page_and_log: tuple[Any, PageLog]) -> PageLog:
    return _page_and_log[1]
