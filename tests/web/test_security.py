"""Cross-site protection through the real app: allowed hosts (DNS rebinding), Origin checks,
CSRF tokens, JSON content types, the CSP and external links.

Writes go to a private demo copy (`demo_app`), so a refusal that fails changes nothing shared.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App, local_actor
from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.app import create_app
from socialpulse.interfaces.web.common import TEMPLATES_DIR
from socialpulse.interfaces.web.security import (
    COOKIE_HTTP,
    COOKIE_HTTPS,
    EXPIRED_MESSAGE,
    form_token,
    host_name,
)
from socialpulse.settings import DEFAULT_ALLOWED_HOSTS, Settings
from tests.webfixtures import BASE_URL, arm, browser_client

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
WS = "/api/workspaces/demo"
SETTINGS_FORM = "/workspace/settings?workspace=demo"


def one_line_error(resp: Any, status: int) -> str:
    assert resp.status_code == status, resp.text
    message = str(resp.json()["error"]["message"])
    assert "\n" not in message
    return message


@pytest.fixture
def private(demo_app: App) -> Any:
    """A browser-like client over a private demo copy, and that copy."""
    with browser_client(create_app(demo_app.settings), raise_server_exceptions=False) as c:
        yield c, demo_app


# --- allowed hosts ----------------------------------------------------------------------------


def test_other_host_names_get_400_and_no_data(client: TestClient) -> None:
    msg = one_line_error(client.get("/api/workspaces", headers={"Host": "evil.example"}), 400)
    assert "'evil.example'" in msg and "--allowed-host" in msg
    page = client.get("/?workspace=demo", headers={"Host": "evil.example:8000"})
    assert page.status_code == 400 and page.text.count("\n") == 1
    assert "evil.example" in page.text and "Acme" not in page.text  # no workspace names
    assert client.post(f"{WS}/goals", json={}, headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8000", "localhost:1234", "LOCALHOST",
                                  "[::1]:8000", "[::1]"])
def test_loopback_names_are_answered_on_any_port(client: TestClient, host: str) -> None:
    assert client.get("/api/workspaces", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP",
                                    "X-Forwarded-Host"])
def test_a_proxied_request_is_not_the_local_user(client: TestClient, header: str) -> None:
    """A server on 127.0.0.1 with no users behind a reverse proxy: what the proxy forwards
    must sign in, though it arrives from loopback with a loopback Host."""
    assert client.get("/api/workspaces").status_code == 200
    r = client.get("/api/workspaces", headers={header: "203.0.113.9"})
    assert r.status_code == 401, (header, r.status_code)


def test_allowed_hosts_come_from_settings_env_and_the_cli(
        demo_app_ro: App, monkeypatch: pytest.MonkeyPatch, tmp_path: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    settings = replace(demo_app_ro.settings,
                       allowed_hosts=(*DEFAULT_ALLOWED_HOSTS, "dash.example.org"))
    with TestClient(create_app(settings), base_url=BASE_URL) as c:
        # an added name passes the host check; with no users it is not the local user's
        # (only requests to a loopback name are), so it must sign in
        r = c.get("/api/workspaces", headers={"Host": "Dash.Example.org:443"})
        assert r.status_code == 401 and "sign in" in r.json()["error"]["message"]
        assert c.get("/api/workspaces", headers={"Host": "example.org"}).status_code == 400
    monkeypatch.setenv("SOCIALPULSE_ALLOWED_HOSTS", " dash.example.org, ,Intra.Local ")
    got = Settings.from_env(home=tmp_path).allowed_hosts
    assert got == (*DEFAULT_ALLOWED_HOSTS, "dash.example.org", "intra.local")
    # serve adds the address it binds, unless that is a wildcard (no browser sends it as Host)
    bound = Settings(home=tmp_path).with_hosts("0.0.0.0", "::", "192.168.1.5", "LOCALHOST")
    assert bound.allowed_hosts == (*DEFAULT_ALLOWED_HOSTS, "192.168.1.5")
    assert main(["serve", "--help"]) == 0
    assert "--allowed-host" in capsys.readouterr().out


def test_host_names_are_read_like_browsers_send_them() -> None:
    assert host_name("[::1]:8000") == "[::1]" and host_name("::1") == "[::1]"
    assert host_name("Example.ORG.:80") == "example.org" and host_name("") == ""


# --- Origin / Referer ------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1:9999"},  # same host, another port: another origin
    {"Origin": "https://127.0.0.1"},
    {"Referer": "http://evil.example/attack.html"},
])
def test_a_foreign_origin_is_refused_before_anything_runs(private: Any,
                                                         headers: dict[str, str]) -> None:
    c, app = private
    before = app.workspace("demo")
    msg = one_line_error(c.patch(WS, json={"name": "Pwned"}, headers=headers), 403)
    assert "another site" in msg
    page = c.post(SETTINGS_FORM, data={"name": "Pwned", "timezone": "UTC"}, headers=headers)
    assert page.status_code == 403 and "text/html" in page.headers["content-type"]
    assert "came from another site" in page.text
    assert app.workspace("demo") == before


def test_own_origin_and_referer_pass(private: Any) -> None:
    c, app = private
    for n, headers in enumerate([{"Origin": "http://127.0.0.1"},
                                 {"Referer": "http://127.0.0.1/workspace?workspace=demo"}]):
        r = c.patch(WS, json={"name": f"Renamed {n}"}, headers=headers)
        assert r.status_code == 200, r.text
        assert app.workspace("demo").name == f"Renamed {n}"


# --- CSRF tokens -----------------------------------------------------------------------------


def test_browser_requests_need_the_pages_token(private: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    c, app = private
    token = c.headers.pop("X-CSRF-Token")
    before = app.workspace("demo")
    assert one_line_error(c.patch(WS, json={"name": "Pwned"}), 403) == EXPIRED_MESSAGE
    assert one_line_error(c.patch(WS, json={"name": "Pwned"},
                                  headers={"X-CSRF-Token": "0" * 64}), 403) == EXPIRED_MESSAGE
    form = {"name": "Pwned", "timezone": before.timezone, "languages": "en"}
    page = c.post(SETTINGS_FORM, data=form)
    assert page.status_code == 403 and EXPIRED_MESSAGE in page.text
    assert app.workspace("demo") == before
    # the hidden field of the page's form is what a real form sends
    r = c.post(SETTINGS_FORM, data={"csrf_token": token, **form, "name": "Via the form"})
    assert r.status_code == 200 and app.workspace("demo").name == "Via the form"
    # another process of this server (serve --workers N) shows the same token: the key is
    # derived from the home's secret key, which every process shares
    cookie = {COOKIE_HTTP: str(c.cookies.get(COOKIE_HTTP))}
    with TestClient(create_app(app.settings), base_url=BASE_URL, cookies=cookie) as sibling:
        assert arm(sibling).headers["X-CSRF-Token"] == token
    # the token a server with another key shows for this very cookie is refused here
    monkeypatch.setenv("SOCIALPULSE_SECRET_KEY", "Zm9yZWlnbi1rZXktb2YtYW5vdGhlci1zZXJ2ZXIhISE=")
    with TestClient(create_app(app.settings), base_url=BASE_URL, cookies=cookie) as other:
        foreign = arm(other).headers["X-CSRF-Token"]
    assert foreign != token
    assert c.patch(WS, json={"name": "x"}, headers={"X-CSRF-Token": foreign}).status_code == 403


def test_uploads_carry_the_token_in_their_first_field(private: Any) -> None:
    c, app = private
    token = c.headers.pop("X-CSRF-Token")
    sample = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
    files = {"files": (sample.name, sample.read_bytes(), "text/csv")}
    url = f"{WS}/imports"
    assert c.post(url, files=files, data={"dry_run": "true"}).status_code == 403
    r = c.post(url, files=files, data={"csrf_token": token, "dry_run": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["rows"]["posts"] == 33  # the endpoint still read the whole upload


def test_bearer_requests_skip_the_token_but_not_the_origin_check(private: Any) -> None:
    c, app = private
    del c.headers["X-CSRF-Token"]
    app.identity.add_user(local_actor(), "ana", password="correct horse battery")  # the owner
    secret, _ = app.tokens.create(local_actor(), "ana", "ci script")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert c.patch(WS, json={"name": "By bearer"}, headers=bearer).status_code == 200
    assert app.workspace("demo").name == "By bearer"
    r = c.patch(WS, json={"name": "x"}, headers={**bearer, "Origin": "http://evil.example"})
    assert r.status_code == 403
    # a token the server does not know authenticates nobody (skipping the CSRF token is not
    # being let in)
    r = c.patch(WS, json={"name": "x"}, headers={"Authorization": "Bearer sp_unknown"})
    assert r.status_code == 401 and app.workspace("demo").name == "By bearer"


def test_scripts_without_cookies_need_no_token_but_browsers_do(demo_app: App) -> None:
    with TestClient(create_app(demo_app.settings), base_url=BASE_URL) as script:
        assert script.patch(WS, json={"name": "From a script"}).status_code == 200
        assert script.get("/api/workspaces").headers.get("set-cookie") is None  # API: no cookie
        # a browser sends Sec-Fetch-* even when SameSite=Strict kept its cookie back
        r = script.patch(WS, json={"name": "x"}, headers={"Sec-Fetch-Site": "same-site"})
        assert r.status_code == 403
    assert demo_app.workspace("demo").name == "From a script"


def test_the_cookie_is_httponly_strict_and_host_only(demo_app_ro: App) -> None:
    app = create_app(demo_app_ro.settings)
    with TestClient(app, base_url=BASE_URL) as c:
        cookie = c.get("/metrics/catalogue").headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE_HTTP}=")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        assert "Domain" not in cookie and "Secure" not in cookie  # plain http on 127.0.0.1
        # once set, pages do not set it again, and their meta token stays the same
        again = c.get("/metrics/catalogue")
        assert "set-cookie" not in again.headers
    with TestClient(app, base_url="https://127.0.0.1") as c:
        cookie = c.get("/metrics/catalogue").headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE_HTTPS}=") and "Secure" in cookie


def test_every_post_form_carries_the_token_first() -> None:
    forms = 0
    for path in TEMPLATES_DIR.glob("*.html"):
        text = path.read_text()
        for m in re.finditer(r"<form\b[^>]*>", text):
            if 'method="post"' in m.group(0).lower():
                forms += 1
                after = text[m.end():].lstrip()
                assert after.startswith("{{ csrf_input() }}"), f"{path.name}: {m.group(0)}"
    assert forms >= 15


def test_rendered_forms_hold_the_token_of_the_page(client: TestClient) -> None:
    page = client.get("/workspace?workspace=demo").text
    token = client.headers["X-CSRF-Token"]
    assert f'<meta name="csrf-token" content="{token}">' in page
    fields = re.findall(r'<input type="hidden" name="csrf_token" value="([^"]*)">', page)
    assert fields and set(fields) == {token}
    assert page.count('method="post"') == len(fields)


def test_form_tokens_are_found_in_partial_bodies() -> None:
    urlencoded = "application/x-www-form-urlencoded"
    assert form_token(urlencoded, b"csrf_token=abc&name=x", True) == "abc"
    assert form_token(urlencoded, b"name=x&csrf_token=ab", False) is None  # may go on
    assert form_token(urlencoded, b"name=x", True) is None
    ctype = "multipart/form-data; boundary=XyZ"
    body = (b'--XyZ\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\ntok\r\n'
            b'--XyZ\r\nContent-Disposition: form-data; name="files"; filename="a.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n")
    assert form_token(ctype, body, False) == "tok"
    assert form_token(ctype, body[:60], False) is None
    assert form_token("text/plain", b"csrf_token=abc", True) is None


# --- JSON content types, CSP, links ----------------------------------------------------------


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", None])
def test_json_endpoints_refuse_other_content_types(private: Any, ctype: str | None) -> None:
    c, app = private
    body = b'{"name": "Pwned"}'
    headers = {"Content-Type": ctype} if ctype else {}  # None: httpx sends no type
    r = c.patch(WS, content=body, headers=headers)
    msg = one_line_error(r, 415)
    assert "Content-Type: application/json" in msg
    assert app.workspace("demo").name != "Pwned"
    assert c.post(f"{WS}/goals", content=body, headers=headers).status_code == 415


def test_the_csp_allows_no_inline_script_style_or_eval(client: TestClient) -> None:
    csp = client.get("/metrics/catalogue").headers["content-security-policy"]
    for directive in ("script-src", "style-src"):
        found = re.search(directive + r" ([^;]*)", csp)
        assert found and found.group(1).strip() == "'self'", csp
    assert "unsafe" not in csp and "form-action 'self'" in csp
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    for path in TEMPLATES_DIR.glob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, re.I):
            assert "src=" in tag or "application/json" in tag, f"{path.name}: inline {tag}"
        assert not handler.search(text), f"{path.name}: inline event handler"
        assert "<style" not in text and " style=" not in text, f"{path.name}: inline style"


def test_the_report_preview_has_its_own_script_free_policy(client: TestClient) -> None:
    resp = client.get("/reports/preview?workspace=demo&period=2026-Q3")
    assert resp.status_code == 200 and "<style" in resp.text  # the report styles itself
    csp = resp.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "style-src 'unsafe-inline'" in csp


@pytest.mark.parametrize("path", ["/posts?workspace=demo", "/workspace?workspace=demo",
                                  "/listening?workspace=demo&days=365", "/?workspace=demo"])
def test_links_off_the_site_open_without_opener_or_referrer(client: TestClient,
                                                           path: str) -> None:
    page = client.get(path).text
    offsite = 0
    for tag in re.findall(r"<a\b[^>]*>", page):
        href = re.search(r'href="([^"]*)"', tag)
        if (href and re.match(r"(https?:)?//", href.group(1))) or "_blank" in tag:
            offsite += 1
            rel = re.search(r'rel="([^"]*)"', tag)
            assert rel and {"noopener", "noreferrer"} <= set(rel.group(1).split()), tag
    if path.startswith(("/posts", "/listening")):
        assert offsite > 0  # the demo's posts and mentions link to the platforms
