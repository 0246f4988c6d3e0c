"""Security headers on every answer of the app (every GET route of its route table, static
files, errors and refusals), HSTS only over https, and pages that still work under the policy
in a real Chromium (no CSP violation in the console)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from socialpulse.interfaces.web.app import ROUTERS
from socialpulse.interfaces.web.headers import (
    CONTENT_SECURITY_POLICY,
    HSTS,
    SECURITY_HEADERS,
    SecurityHeadersMiddleware,
    headers_for,
)
from tests.webfixtures import LiveServer, PageLog, arm

#: Values for the path parameters of the demo's GET routes (the demo has these rows).
PATH_VALUES = {"slug": "demo", "metric_id": "engagement_rate", "figure": "share_of_voice"}


def get_paths() -> list[str]:
    """Every GET route of the app's routers, path parameters filled in (ids that may not exist
    answer 404, which must carry the headers too)."""
    out = []
    for route in (r for router in ROUTERS for r in router.routes):
        if isinstance(route, APIRoute) and "GET" in (route.methods or set()):
            path = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "1"), route.path)
            out.append(path + ("?workspace=demo" if not path.startswith("/api") else ""))
    return out


def assert_secured(resp: Any, https: bool = False) -> None:
    for name, value in SECURITY_HEADERS.items():
        if name == "content-security-policy" and "/reports/preview" in str(resp.url):
            continue  # the standalone report document has its own, stricter policy
        assert resp.headers.get(name) == value, f"{resp.url}: {name} {resp.headers.get(name)}"
    assert ("strict-transport-security" in resp.headers) is https, resp.url


def test_every_get_route_answers_with_the_headers(client: TestClient) -> None:
    paths = get_paths()
    assert len(paths) > 40 and "/" in [p.split("?")[0] for p in paths]
    for path in paths:
        resp = client.get(path)
        assert resp.status_code < 500, (path, resp.text[:200])
        assert_secured(resp)


def test_static_files_errors_and_refusals_carry_them(client: TestClient) -> None:
    assert_secured(client.get("/static/app.js"))
    assert_secured(client.get("/no/such/page"))
    assert_secured(client.get("/api/workspaces", headers={"Host": "evil.example"}))
    refused = client.post("/api/workspaces/demo/goals", json={},
                          headers={"Origin": "http://evil.example"})
    assert refused.status_code == 403
    assert_secured(refused)


def test_the_report_preview_keeps_its_own_policy(client: TestClient) -> None:
    resp = client.get("/reports/preview?workspace=demo&period=2026-Q3")
    assert resp.status_code == 200
    assert resp.headers["content-security-policy"] != CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'self'" in resp.headers["content-security-policy"]
    assert resp.headers["x-content-type-options"] == "nosniff"


def test_hsts_only_over_https(web_app: FastAPI) -> None:
    with TestClient(web_app, base_url="https://127.0.0.1") as c:
        assert_secured(arm(c).get("/?workspace=demo"), https=True)
        assert c.get("/api/workspaces").headers["strict-transport-security"] == HSTS
    assert "strict-transport-security" not in headers_for("http")


def test_the_policy_forbids_inline_code_and_framing() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'self'" and directives["object-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_a_response_that_sets_its_own_value_keeps_it() -> None:
    async def own(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"referrer-policy", b"no-referrer")]})
        await send({"type": "http.response.body", "body": b"ok"})

    resp = TestClient(SecurityHeadersMiddleware(own)).get("/")  # no lifespan: a bare app
    assert resp.headers["referrer-policy"] == "no-referrer"
    assert resp.headers["x-content-type-options"] == "nosniff"


#: Pages with charts, htmx panels, forms and the report frame.
BROWSER_PAGES = ["/metrics?workspace=demo&metric=engagement_rate",
                 "/goals?workspace=demo&today=2026-10-31", "/listening?workspace=demo&days=365",
                 "/posts?workspace=demo", "/reports?workspace=demo", "/workspace?workspace=demo",
                 "/maturity?workspace=demo", "/import?workspace=demo",
                 "/activity?workspace=demo",
                 "/?workspace=demo"]


@pytest.mark.browser
def test_pages_run_under_the_policy_without_violations(live_server: LiveServer, page: Any,
                                                       page_log: PageLog) -> None:
    violations: list[str] = []
    page.expose_function("cspViolation", lambda text: violations.append(str(text)))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "window.cspViolation(e.violatedDirective + ' ' + e.blockedURI));")
    for path in BROWSER_PAGES:
        resp = page.goto(live_server.url + path)
        assert resp is not None and resp.status == 200, path
        assert resp.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        page.wait_for_load_state("networkidle")
    assert page.locator(".vega-embed svg, .vega-embed canvas").count() > 0  # overview charts
    assert violations == [], violations
    assert [e for e in page_log.errors if "Content Security Policy" in e] == []
    assert page_log.errors == []
    # the control: an inline script injected into the page is blocked and reported
    page.evaluate("() => { const s = document.createElement('script'); "
                  "s.textContent = 'window.injected = 1'; document.body.appendChild(s); }")
    deadline = time.monotonic() + 30
    while not violations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert violations and violations[0].startswith("script-src"), violations
    assert page.evaluate("() => window.injected") is None
