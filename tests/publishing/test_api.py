"""The publishing API: the workflow over HTTP, and bad input as a one-line 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.connections import ConnectionKind, Secret
from socialpulse.domain.models import Network
from socialpulse.interfaces.web.app import create_app
from socialpulse.services.connections import ConnectRequest
from tests.webfixtures import browser_client

from .conftest import ME
from .fakes import PublishingMastodon

BASE = "/api/workspaces/acme/publishing/posts"


@pytest.fixture
def app(empty_app: App) -> Iterator[App]:
    fake = PublishingMastodon(lambda: datetime.now(UTC))
    empty_app.workspaces.create(ME, "acme", "Acme", "Europe/Madrid")
    empty_app.connections.connect(ME, empty_app.workspace("acme"), ConnectRequest(
        Network.MASTODON, ConnectionKind.OWN, server=fake.url, secret=Secret("good-token")))
    yield empty_app
    fake.close()


def test_workflow_over_http(app: App) -> None:
    with browser_client(create_app(app.settings), raise_server_exceptions=False) as c:
        r = c.post(BASE, json={"text": "Hello https://a.example", "networks": ["mastodon"],
                               "campaign": "launch"})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        assert r.json()["status"] == "draft"
        assert c.post(f"{BASE}/{pid}/submit").json()["status"] == "waiting for approval"
        r = c.post(f"{BASE}/{pid}/schedule", json={"at": "2030-01-01 09:00"})
        assert r.status_code == 409
        assert "only an approved post can be scheduled" in r.json()["error"]["message"]
        assert c.post(f"{BASE}/{pid}/approve", json={"comment": "ok"}).status_code == 200
        r = c.post(f"{BASE}/{pid}/schedule", json={"at": "2030-07-01 09:00"})
        assert r.status_code == 200
        assert r.json()["scheduled_utc"] == "2030-07-01T07:00:00+00:00"  # CEST
        [listed] = c.get(BASE, params={"status": "scheduled"}).json()["posts"]
        assert listed["id"] == pid and listed["campaign"] == "launch"
        for at, zone in (("0001-01-01 00:00", "Pacific/Kiritimati"),
                         ("9999-12-31 23:59", "Pacific/Pago_Pago")):  # beyond UTC's range
            r = c.post(f"{BASE}/{pid}/schedule", json={"at": at, "zone": zone})
            assert r.status_code == 400, r.text
        assert c.post(f"{BASE}/{pid}/cancel").json()["status"] == "cancelled"


@pytest.mark.parametrize(("method", "path", "body", "status", "message"), [
    ("post", BASE, {"text": "x", "networks": ["fax"]}, 400, "networks: unknown value 'fax'"),
    ("post", BASE, {"text": "x", "networks": []}, 400, "networks: name at least one"),
    ("post", BASE, {"text": "x" * 501, "networks": ["mastodon"]}, 400,
     "Mastodon: 501 characters (at most 500)"),
    ("post", BASE, {"text": "x", "networks": ["mastodon"], "colour": "red"}, 400,
     "body: unknown field 'colour'"),
    ("post", BASE, {"text": "a\x00b", "networks": ["mastodon"]}, 400,
     "Mastodon: the text holds control characters"),
    ("post", BASE, {"text": "x", "networks": ["mastodon"], "campaign": "\x00"}, 400,
     "must not hold NUL characters"),
    ("post", f"{BASE}/99/approve", {}, 404, "post 99 not found"),
    ("post", f"{BASE}/abc/cancel", None, 400, "post_id"),
    ("get", f"{BASE}?status=lost", None, 400, "status: unknown value 'lost'"),
])
def test_bad_input_is_a_one_line_4xx(app: App, method: str, path: str, body: object,
                                     status: int, message: str) -> None:
    with browser_client(create_app(app.settings), raise_server_exceptions=False) as c:
        r = getattr(c, method)(path, **({"json": body} if body is not None else {}))
        assert r.status_code == status, r.text
        assert message in r.json()["error"]["message"]
        assert c.get(BASE).json()["posts"] == []
