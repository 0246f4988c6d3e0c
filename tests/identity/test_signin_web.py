"""Sign-in over HTTP (FastAPI's TestClient on the real app and a real SQLite home): who acts,
redirects and 401s, the session cookie, sign-out, one-time links, CSRF, throttling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App, local_actor, open_home
from socialpulse.interfaces.web.app import create_app
from socialpulse.interfaces.web.signin import safe_next
from socialpulse.settings import Settings

PASSWORD = "correct horse battery"
ME = local_actor()


@pytest.fixture
def home(tmp_path: Path) -> Iterator[App]:
    app = open_home(Settings(home=tmp_path / "home"), create=True)
    app.workspaces.create(ME, "acme", "Acme")
    yield app
    app.store.dispose()


def client(app: App, host: str = "127.0.0.1", https: bool = False) -> TestClient:
    settings = replace(app.settings, host=host)
    return TestClient(create_app(settings, run_jobs=False),
                      base_url=f"{'https' if https else 'http'}://127.0.0.1")


def token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(c: TestClient, login: str = "ana", password: str = PASSWORD,
            next_: str = "/") -> Any:
    page = c.get("/signin")
    return c.post("/signin", data={"login": login, "password": password, "next": next_,
                                   "csrf_token": token_of(page.text)}, follow_redirects=False)


def test_no_users_on_loopback_is_the_local_user_as_before(home: App) -> None:
    with client(home) as c:
        assert c.get("/").status_code == 200
        assert c.get("/api/workspaces").json()[0]["slug"] == "acme"
        page = c.get("/workspace?workspace=acme")
        assert page.status_code == 200 and "data-signout" not in page.text


def test_no_users_on_the_network_signs_nobody_in(home: App) -> None:
    """A server bound to another address never treats a visitor as the local user."""
    with client(home, host="0.0.0.0") as c:
        r = c.get("/workspace?workspace=acme", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (
            303, "/signin?next=%2Fworkspace%3Fworkspace%3Dacme")
        api = c.get("/api/workspaces")
        assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
        assert api.json() == {"error": {"message": "sign in first (pages: /signin; the API: "
                                                   "an Authorization: Bearer token)"}}


def test_with_users_pages_redirect_and_the_api_answers_401(home: App) -> None:
    home.identity.add_user(ME, "ana", password=PASSWORD)
    with client(home) as c:
        r = c.get("/", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/signin")
        r = c.get("/goals", headers={"HX-Request": "true"}, follow_redirects=False)
        assert (r.status_code, r.headers["hx-redirect"]) == (401, "/signin?next=%2Fgoals")
        assert c.get("/api/workspaces/acme/accounts").status_code == 401
        bad = c.get("/api/workspaces", headers={"Authorization": "Bearer sp_nope"})
        assert bad.status_code == 401
        assert bad.json()["error"]["message"] == ("Authorization: the API token is unknown, "
                                                  "expired or revoked")
        signin = c.get("/signin")
        assert signin.status_code == 200
        assert "Acme" not in signin.text  # no workspace names for a visitor
        assert c.get("/static/signin.css").status_code == 200


def test_sign_in_sets_a_strict_cookie_and_goes_where_asked(home: App) -> None:
    home.identity.add_user(ME, "ana", name="Ana Silva", password=PASSWORD)
    with client(home) as c:
        r = sign_in(c, "ANA", next_="/workspace?workspace=acme")
        assert (r.status_code, r.headers["location"]) == (303, "/workspace?workspace=acme")
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("socialpulse_session=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain http on 127.0.0.1
        page = c.get("/workspace?workspace=acme")
        assert page.status_code == 200
        assert re.search(r"data-user-name>Ana Silva<", page.text)
        assert "data-signout-everywhere" in page.text
        assert c.get("/api/workspaces").json()[0]["slug"] == "acme"


def test_over_https_the_cookie_is_secure_with_the_host_prefix(home: App) -> None:
    home.identity.add_user(ME, "ana", password=PASSWORD)
    with client(home, https=True) as c:
        r = sign_in(c)
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("__Host-socialpulse_session=") and "Secure" in cookie
        assert c.get("/api/workspaces").status_code == 200


@pytest.mark.parametrize(("target", "expected"), [
    ("/goals?workspace=acme", "/goals?workspace=acme"),
    ("//evil.example/x", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("/ok\r\nSet-Cookie: x=1", "/"),
    ("", "/"),
    (None, "/"),
])
def test_next_is_a_local_path_only(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_wrong_password_and_throttling_on_the_page(home: App) -> None:
    home.identity.add_user(ME, "ana", password=PASSWORD)
    with client(home) as c:
        for _ in range(5):
            r = sign_in(c, password="not the password")
            assert r.status_code == 401
            assert "sign-in failed: unknown login or wrong password" in r.text
            assert "set-cookie" not in r.headers or "session" not in r.headers["set-cookie"]
        r = sign_in(c)
        assert r.status_code == 429
        assert "too many failed sign-ins" in r.text
        assert c.get("/api/workspaces").status_code == 401


def test_sign_in_form_without_its_csrf_token_is_refused(home: App) -> None:
    """Login CSRF: a form posted by another page (no token, or a foreign Origin) never signs
    the browser in."""
    home.identity.add_user(ME, "ana", password=PASSWORD)
    with client(home) as c:
        c.get("/signin")  # the browser has our CSRF cookie
        r = c.post("/signin", data={"login": "ana", "password": PASSWORD},
                   follow_redirects=False)
        assert r.status_code == 403 and "session" not in r.headers.get("set-cookie", "")
        token = token_of(c.get("/signin").text)
        r = c.post("/signin", data={"login": "ana", "password": PASSWORD, "csrf_token": token},
                   headers={"Origin": "https://evil.example"}, follow_redirects=False)
        assert r.status_code == 403
        assert c.get("/api/workspaces").status_code == 401


def test_sign_out_and_sign_out_everywhere(home: App) -> None:
    home.identity.add_user(ME, "ana", password=PASSWORD)
    with client(home) as laptop, client(home) as phone:
        sign_in(laptop)
        sign_in(phone)
        token = token_of(laptop.get("/workspace?workspace=acme").text)
        r = laptop.post("/signout", data={"csrf_token": token}, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/signin")
        assert laptop.get("/api/workspaces").status_code == 401
        assert phone.get("/api/workspaces").status_code == 200
        sign_in(laptop)
        token = token_of(phone.get("/workspace?workspace=acme").text)
        phone.post("/signout/everywhere", data={"csrf_token": token})
        assert phone.get("/api/workspaces").status_code == 401
        assert laptop.get("/api/workspaces").status_code == 401


def test_owner_setup_link_on_a_network_server(tmp_path: Path) -> None:
    app = open_home(Settings(home=tmp_path / "fresh"), create=True)
    try:
        link = app.identity.setup_link("http://127.0.0.1:8000")
        assert link is not None
        path = link.removeprefix("http://127.0.0.1:8000")
        with client(app, host="0.0.0.0") as c:
            page = c.get(path)
            assert page.status_code == 200 and "data-setup-form" in page.text
            form = {"login": "boss", "name": "The Boss", "email": "", "password": PASSWORD,
                    "password2": "something else", "csrf_token": token_of(page.text)}
            r = c.post(path, data=form)
            assert r.status_code == 400
            assert "password: the two passwords differ" in r.text
            r = c.post(path, data={**form, "password2": PASSWORD}, follow_redirects=False)
            assert (r.status_code, r.headers["location"]) == (303, "/")
            assert "socialpulse_session=" in r.headers["set-cookie"]
            assert c.get("/api/workspaces").status_code == 200  # signed in as the owner
            again = c.get(path)
            assert again.status_code == 400 and "data-link-invalid" in again.text
        assert [(u.login, u.site_admin) for u in app.identity.users()] == [("boss", True)]
    finally:
        app.store.dispose()


def test_reset_link_page_sets_the_password_once(home: App) -> None:
    home.identity.add_user(ME, "ana", password=PASSWORD)
    with client(home) as old, client(home) as c:
        sign_in(old)
        path = home.identity.reset_link(ME, "ana", "http://x").url.removeprefix("http://x")
        page = c.get(path)
        assert page.status_code == 200 and "<code>ana</code>" in page.text
        r = c.post(path, data={"password": "a new password!", "password2": "a new password!",
                               "csrf_token": token_of(page.text)}, follow_redirects=False)
        assert r.status_code == 303
        assert c.get("/api/workspaces").status_code == 200
        assert old.get("/api/workspaces").status_code == 401  # other sessions ended
        assert c.get(path).status_code == 400
        assert c.get("/reset/not-a-token").status_code == 400


def test_account_page_changes_the_password(home: App) -> None:
    home.identity.add_user(ME, "ana", password=PASSWORD)
    with client(home) as here, client(home) as there:
        sign_in(here)
        sign_in(there)
        page = here.get("/account")
        assert page.status_code == 200 and "data-password-form" in page.text
        form = {"current": "wrong password!", "password": "a new password!",
                "password2": "a new password!", "csrf_token": token_of(page.text)}
        r = here.post("/account/password", data=form)
        assert r.status_code == 401 and "current password: wrong password" in r.text
        r = here.post("/account/password", data={**form, "current": PASSWORD})
        assert r.status_code == 200 and "data-saved" in r.text
        assert here.get("/api/workspaces").status_code == 200
        assert there.get("/api/workspaces").status_code == 401
