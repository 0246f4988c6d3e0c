"""Sign-in in a real browser (headless Chromium) against a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socialpulse.bootstrap import App, local_actor, open_home
from socialpulse.interfaces.web.app import create_app
from socialpulse.settings import Settings
from tests.webfixtures import LiveServer, PageLog, serve_app

PASSWORD = "correct horse battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LiveServer, App]]:
    app = open_home(Settings(home=tmp_path / "home"), create=True)
    app.workspaces.create(local_actor(), "acme", "Acme")
    app.identity.add_user(local_actor(), "ana", name="Ana Silva", password=PASSWORD)
    with serve_app(create_app(app.settings, run_jobs=False)) as live:
        yield live, app
    app.store.dispose()


def _sign_in(page: Any, login: str, password: str) -> None:
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("[data-signin-form] button[type=submit]")


@pytest.mark.browser
def test_sign_in_and_out_in_the_browser(server: tuple[LiveServer, App], page: Any,
                                        page_log: PageLog) -> None:
    live, _ = server
    page.goto(live.url + "/workspace?workspace=acme")
    assert page.url == live.url + "/signin?next=%2Fworkspace%3Fworkspace%3Dacme"
    assert page.locator("[data-signout]").count() == 0
    _sign_in(page, "ana", "not the password")
    assert page.text_content("[data-signin-error]") == (
        "sign-in failed: unknown login or wrong password")
    _sign_in(page, "Ana", PASSWORD)
    page.wait_for_url(live.url + "/workspace?workspace=acme")
    assert page.text_content("[data-user-name]") == "Ana Silva"
    cookie = next(c for c in page.context.cookies() if c["name"] == "socialpulse_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("socialpulse_session") == -1  # HttpOnly
    page.click("[data-signout]")
    page.wait_for_url(live.url + "/signin")
    page.goto(live.url + "/workspace?workspace=acme")
    assert page.url.startswith(live.url + "/signin?next=")
    # the one error: the wrong password's page answered 401 (Chromium logs every 4xx)
    assert page_log.errors == ["Failed to load resource: the server responded with a status "
                               "of 401 (Unauthorized)"]
    assert page_log.foreign_hosts() == []


@pytest.mark.browser
def test_sign_out_everywhere_ends_the_other_browser(server: tuple[LiveServer, App],
                                                    browser: Any, page: Any) -> None:
    live, _ = server
    other = browser.new_context().new_page()
    try:
        for p in (page, other):
            p.goto(live.url + "/signin")
            _sign_in(p, "ana", PASSWORD)
            p.wait_for_url(live.url + "/")
        page.click("[data-signout-everywhere]")
        page.wait_for_url(live.url + "/signin")
        other.goto(live.url + "/workspace?workspace=acme")
        assert other.url.startswith(live.url + "/signin?next=")
    finally:
        other.context.close()


@pytest.mark.browser
def test_a_sign_in_form_without_its_csrf_token_is_refused(server: tuple[LiveServer, App],
                                                          page: Any) -> None:
    live, _ = server
    page.goto(live.url + "/signin")
    page.evaluate("document.querySelector('[data-signin-form] input[name=csrf_token]')"
                  ".remove()")
    _sign_in(page, "ana", PASSWORD)
    page.wait_for_load_state()
    assert "the form expired or came from another site" in page.content()
    assert not any(c["name"] == "socialpulse_session" for c in page.context.cookies())
    page.goto(live.url + "/")
    assert page.url.startswith(live.url + "/signin")
