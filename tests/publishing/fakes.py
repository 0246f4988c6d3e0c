"""The fake Mastodon and Bluesky servers of tests/connectors, with their publishing endpoints.

Mastodon (docs.joinmastodon.org/methods/statuses/#create): ``POST /api/v1/statuses``
{status, visibility} answers the new Status; a repeat with the same ``Idempotency-Key`` answers
the status already made (Mastodon keeps keys an hour); statuses' ids are time-based
(milliseconds << 16), and ``GET /api/v1/accounts/:id/statuses?min_id=`` answers the statuses
just after ``min_id``, newest first.

Bluesky (lexicons com.atproto.repo.createRecord / getRecord): ``createRecord`` {repo,
collection, rkey, record} answers {uri, cid}; a record that exists at that rkey is refused
(400 InvalidRequest); ``getRecord`` answers {uri, cid, value} or 400 ``RecordNotFound``.

Faults at the edge: the base class's one-shot ``faults`` (429 with Retry-After, 5xx: answered
before anything is made) and ``drop_after_accept``: that many publishing requests are carried
out and then the connection is closed without an answer (a timeout after the request left).
"""

from __future__ import annotations

import html
import itertools
import threading
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.connectors.fakes import FakeBluesky, FakeMastodon


class _Drops:
    """A count of publishing requests to accept and then leave unanswered."""

    def __init__(self) -> None:
        self.drop_after_accept = 0
        self.dropped = 0
        self._drop_now = threading.local()
        self._lock = threading.Lock()

    def _take_drop(self) -> bool:
        with self._lock:
            if self.drop_after_accept > 0:
                self.drop_after_accept -= 1
                self.dropped += 1
                return True
            return False


class PublishingMastodon(FakeMastodon, _Drops):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _Drops.__init__(self)
        self.keys: dict[str, dict[str, Any]] = {}
        self._seq = itertools.count()
        super().__init__(*args, **kwargs)

    def texts(self) -> Counter[str]:
        """How many statuses of the own account hold each text (exactly once: all 1)."""
        return Counter(s["_text"] for s in self.statuses["1"] if "_text" in s)

    def route(self, method: str, path: str, q: dict[str, str], body: Any, token: str,
              raw: str) -> tuple[int, Any, dict[str, str]]:
        if method == "POST" and path == "/api/v1/statuses":
            if token != self.token:
                return 401, {"error": "The access token is invalid"}, {}
            return self._create(body, self._drop_now.headers.get("Idempotency-Key", ""))
        parts = path.split("/")
        if method == "GET" and len(parts) == 6 and parts[5] == "statuses" and "min_id" in q:
            rows = sorted((s for s in self.statuses.get(parts[4], [])
                           if int(s["id"]) > int(q["min_id"])), key=lambda s: int(s["id"]))
            limit = min(int(q.get("limit", "20")), 40)
            return 200, sorted(rows[:limit], key=lambda s: int(s["id"]), reverse=True), {}
        return super().route(method, path, q, body, token, raw)

    def _create(self, body: Any, key: str) -> tuple[int, Any, dict[str, str]]:
        text = str(body.get("status") or "")
        if not text.strip():
            return 422, {"error": "Validation failed: Text can't be blank"}, {}
        if len(text) > 500:
            return 422, {"error": "Validation failed: Text character limit of 500 exceeded"}, {}
        with self._lock:
            if key and key in self.keys:
                return 200, self.keys[key], {}
            ms = int(self.clock().timestamp() * 1000)
            sid = (ms << 16) + next(self._seq) % 65536
            st = self.post("1", sid, self.clock(), 0, 0, 0)
            content = html.escape(text).replace("\n", "<br />")
            st.update(content=f"<p>{content}</p>", _text=text)
            if key:
                self.keys[key] = st
        self._drop_now.value = self._take_drop()
        public = {k: v for k, v in st.items() if not k.startswith("_")}
        return 200, public, {}

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        self._drop_now.headers = h.headers
        self._drop_now.value = False
        super()._serve(h, method)

    def _send(self, h: BaseHTTPRequestHandler, status: int, data: bytes,
              headers: dict[str, str]) -> None:
        if getattr(self._drop_now, "value", False):
            h.close_connection = True  # carried out, never answered
            return
        super()._send(h, status, data, headers)


class PublishingBluesky(FakeBluesky, _Drops):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _Drops.__init__(self)
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self.creates = 0
        super().__init__(*args, **kwargs)

    def route(self, method: str, path: str, q: dict[str, str], body: Any, token: str,
              raw: str) -> tuple[int, Any, dict[str, str]]:
        nsid = path.removeprefix("/xrpc/")
        if nsid in ("com.atproto.repo.createRecord", "com.atproto.repo.getRecord"):
            known = self._tokens.get(token)
            if known is None:
                return 401, {"error": "AuthenticationRequired", "message": "Invalid token"}, {}
            if known[1] <= self.clock():
                return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
            if nsid == "com.atproto.repo.createRecord":
                return self._create(known[0], body)
            return self._get_record(q)
        return super().route(method, path, q, body, token, raw)

    def _create(self, did: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        rkey, record = str(body.get("rkey") or ""), body.get("record")
        if body.get("repo") != did or not isinstance(record, dict) or not rkey:
            return 400, {"error": "InvalidRequest", "message": "Invalid record"}, {}
        with self._lock:
            if (did, rkey) in self.records:
                return 400, {"error": "InvalidRequest",
                             "message": f"Record already exists at rkey {rkey}"}, {}
            self.creates += 1
            uri = f"at://{did}/app.bsky.feed.post/{rkey}"
            cid = f"bafyrei{rkey}"
            self.records[(did, rkey)] = {"uri": uri, "cid": cid, "value": record}
            handle = self.profiles[did]["handle"]
            self.feeds[did].insert(0, {"post": {
                "uri": uri, "cid": cid, "author": {"did": did, "handle": handle},
                "record": record, "replyCount": 0, "repostCount": 0, "likeCount": 0,
                "quoteCount": 0, "indexedAt": record.get("createdAt")}})
        self._drop_now.value = self._take_drop()
        return 200, {"uri": uri, "cid": cid, "commit": {"cid": "c", "rev": "r"}}, {}

    def _get_record(self, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        got = self.records.get((q.get("repo", ""), q.get("rkey", "")))
        if got is None:
            return 400, {"error": "RecordNotFound", "message": "Could not locate record: "
                         f"at://{q.get('repo')}/{q.get('collection')}/{q.get('rkey')}"}, {}
        return 200, got, {}

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        self._drop_now.value = False
        super()._serve(h, method)

    def _send(self, h: BaseHTTPRequestHandler, status: int, data: bytes,
              headers: dict[str, str]) -> None:
        if getattr(self._drop_now, "value", False):
            h.close_connection = True
            return
        super()._send(h, status, data, headers)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
