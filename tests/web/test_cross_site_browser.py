"""A page on another origin, opened in the user's Chromium, tries to change the app's data: every
attempt reaches the app and is refused, nothing changes; the app's own pages still work.

The attacker is a second local server (another port: another origin, yet the same site, so the
browser even sends the SameSite=Strict cookie along). A recorder around the app proves each
attack arrived, so the test cannot pass because the attack page itself broke.
"""

from __future__ import annotations

import http.client
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialpulse.bootstrap import App
from socialpulse.interfaces.web.app import create_app
from tests.web.test_reads_pure import changes, snapshot
from tests.webfixtures import LiveServer, PageLog, serve_app

SAMPLE = (Path(__file__).resolve().parents[1] / "data" / "samples" / "x"
          / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv")

#: What the attack page does, each with no token (it cannot read one): a form rename, a JSON
#: PATCH, a goal as a text/plain "JSON" form and fetch, a mentions ingest, two uploads.
ATTACK_PAGE = """<!doctype html><html><body>
<iframe name="f1"></iframe><iframe name="f2"></iframe>
<form id="rename" method="post" action="TARGET/workspace/settings?workspace=demo" target="f1">
  <input name="name" value="Pwned"><input name="timezone" value="Asia/Tokyo">
  <input name="languages" value="en">
</form>
<form id="goal" method="post" action="TARGET/api/workspaces/demo/goals" target="f2"
      enctype="text/plain">
  <input name='{"template": "brand_awareness:reach", "objective": "Pwned goal", "x": "'
         value='"}'>
</form>
<script>
(async function () {
  var T = "TARGET", ws = T + "/api/workspaces/demo";
  document.getElementById("rename").submit();
  document.getElementById("goal").submit();
  var csv = await (await fetch("/sample.csv")).blob();
  function upload(url) {
    var fd = new FormData();
    fd.append("files", csv, "x.csv");
    return fetch(url, {method: "POST", mode: "no-cors", credentials: "include", body: fd});
  }
  await Promise.allSettled([
    fetch(ws, {method: "PATCH", credentials: "include",
               headers: {"Content-Type": "application/json"},
               body: JSON.stringify({timezone: "Asia/Tokyo"})}),
    fetch(ws + "/goals", {method: "POST", mode: "no-cors", credentials: "include",
                          headers: {"Content-Type": "text/plain"},
                          body: JSON.stringify({template: "brand_awareness:reach",
                                                objective: "Pwned by fetch"})}),
    fetch(ws + "/listening/ingest?filename=evil.jsonl", {
      method: "POST", mode: "no-cors", credentials: "include",
      body: '{"id": "evil-1", "text": "TrailCo is awful", ' +
            '"published_at": "2026-10-30T10:00:00Z", "network": "x"}\\n'}),
    upload(T + "/import?workspace=demo"),
    upload(ws + "/imports"),
  ]);
  window.attackDone = true;
})();
</script></body></html>"""

#: (method, path) of every attack that must reach the app (and be refused there).
ATTACKS = {
    ("POST", "/workspace/settings"),
    ("POST", "/api/workspaces/demo/goals"),
    ("POST", "/api/workspaces/demo/listening/ingest"),
    ("POST", "/import"),
    ("POST", "/api/workspaces/demo/imports"),
}


class Recorder:
    """Records (method, path, status) of every response the app sends."""

    def __init__(self, app: ASGIApp, seen: list[tuple[str, str, int]]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.seen.append((scope["method"], scope["path"], message["status"]))
            await send(message)

        await self.app(scope, receive, record)


def attacker(target: str) -> FastAPI:
    evil = FastAPI()

    @evil.get("/")
    def page() -> HTMLResponse:
        return HTMLResponse(ATTACK_PAGE.replace("TARGET", target))

    @evil.get("/sample.csv")
    def sample() -> Response:
        return Response(SAMPLE.read_bytes(), media_type="text/csv")

    return evil


def wait_for(condition: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


@pytest.mark.browser
def test_another_origin_changes_nothing_and_own_pages_still_work(
        demo_app: App, page: Any, page_log: PageLog) -> None:
    seen: list[tuple[str, str, int]] = []
    web = create_app(demo_app.settings)
    web.add_middleware(Recorder, seen=seen)
    with serve_app(web) as app_server:
        # the user has the app open: the browser holds its CSRF cookie
        page.goto(app_server.url + "/workspace?workspace=demo")
        before = snapshot(demo_app, hashes=True)
        with serve_app(attacker(app_server.url)) as evil_server:
            assert urlsplit(evil_server.url).port != urlsplit(app_server.url).port
            page.goto(evil_server.url + "/")
            page.wait_for_function("window.attackDone === true")
            wait_for(lambda: {(m, p) for m, p, _ in seen} >= ATTACKS)
        writes = [(m, p, s) for m, p, s in seen if m not in ("GET", "HEAD", "OPTIONS")]
        assert writes and all(s == 403 for _, _, s in writes), writes
        assert changes(before, snapshot(demo_app, hashes=True)) == []

        # same origin, through the real page: the form still saves
        page_log.console_errors.clear()
        page.goto(app_server.url + "/workspace?workspace=demo")
        page.fill("[data-settings-form] input[name=name]", "Renamed in the browser")
        page.click("[data-settings-form] button[type=submit]")
        page.wait_for_selector("[data-saved]")
        assert demo_app.workspace("demo").name == "Renamed in the browser"
        assert page_log.errors == []  # no CSP violation, no refused request


def test_dns_rebinding_gets_400_from_the_real_server(demo_app_ro: App) -> None:
    with serve_app(create_app(demo_app_ro.settings)) as server:
        port = urlsplit(server.url).port
        for host, status in [("evil.example", 400), (f"evil.example:{port}", 400),
                             (f"127.0.0.1:{port}", 200), (f"localhost:{port}", 200)]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/workspaces", headers={"Host": host})
            resp = conn.getresponse()
            body = resp.read().decode()
            conn.close()
            assert resp.status == status, (host, body)
            if status == 400:
                assert "evil.example" in body and "demo" not in body


@pytest.mark.browser
def test_every_page_draws_under_the_csp(live_server: LiveServer, page: Any,
                                        page_log: PageLog, client: Any) -> None:
    """script-src and style-src 'self' only: every page of the navigation, a goal and the
    report preview render with no policy violation, every chart is drawn (Vega without eval)
    and data-driven sizes are set without style attributes."""
    from socialpulse.interfaces.web.registry import NAV

    goals = client.get("/api/workspaces/demo/goals?today=2026-10-31").json()
    paths = [item.path for item in NAV] + ["/goals?today=2026-10-31"]
    paths += [f"/goals/{g['id']}?today=2026-10-31" for g in goals[:1]]
    drawn = sized = 0
    for path in paths:
        sep = "&" if "?" in path else "?"
        page.goto(f"{live_server.url}{path}{sep}workspace=demo")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => !document.querySelector('[data-vega-spec]:not("
                               "[data-rendered]):not([data-render-error])')")
        assert page.eval_on_selector_all("[data-render-error]", "els => els.length") == 0, path
        drawn += page.eval_on_selector_all("[data-rendered] svg", "els => els.length")
        sized += page.eval_on_selector_all("[data-pct-width]",
                                           "els => els.filter(e => e.style.width).length")
    violations = [e for e in page_log.errors if "Content Security Policy" in e]
    assert violations == []
    assert drawn > 5 and (sized > 0 or not goals)
