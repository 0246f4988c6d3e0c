"""Local fakes at the network edge, answering as the platforms document it.

* `FakeMastodon`: ``GET /api/v1/timelines/tag/:hashtag`` (newest first, ``limit``, ``max_id``,
  ``since_id``, ``min_id``, ``Link: <...>; rel="next", <...>; rel="prev"``) and
  ``GET /api/v2/search?type=statuses`` (``{"accounts", "statuses", "hashtags"}``), statuses as
  Mastodon ``Status`` entities.
* `FakeBluesky`: ``GET /xrpc/app.bsky.feed.searchPosts`` (``q``, ``sort``, ``since``,
  ``limit``, ``cursor``; ``{"cursor"?, "hitsTotal", "posts": [postView]}``).
* `FakeJetstream`: a websocket server at ``/subscribe`` replaying recorded-shaped events from
  ``cursor`` (a ``time_us``), then holding the connection open (or closing it).
* `WebhookSink`: records the JSON posted to it.

Every fake records the requests it got, and can answer 429 with ``Retry-After``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.sync.server import ServerConnection, serve


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def status(sid: int, text: str, at: datetime, acct: str = "alice@example.social",
           followers: int = 120, lang: str = "en") -> dict[str, Any]:
    """A Mastodon ``Status`` entity (the fields the docs list that listening reads, and more)."""
    return {
        "id": str(sid), "created_at": iso(at), "in_reply_to_id": None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": lang,
        "uri": f"https://example.social/users/{acct.split('@')[0]}/statuses/{sid}",
        "url": f"https://example.social/@{acct.split('@')[0]}/{sid}",
        "replies_count": 0, "reblogs_count": 1, "favourites_count": 2,
        "content": f"<p>{text}</p>", "reblog": None, "media_attachments": [], "mentions": [],
        "tags": [], "emojis": [],
        "account": {"id": "1", "username": acct.split("@")[0], "acct": acct,
                    "display_name": acct, "followers_count": followers,
                    "following_count": 10, "statuses_count": 100},
    }


def post_view(did: str, rkey: str, text: str, at: datetime, handle: str = "bob.bsky.social",
              followers: int = 50) -> dict[str, Any]:
    """An ``app.bsky.feed.defs#postView``."""
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}", "cid": "bafy" + rkey,
        "author": {"did": did, "handle": handle, "displayName": handle,
                   "followersCount": followers},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": iso(at),
                   "langs": ["en"]},
        "replyCount": 0, "repostCount": 0, "likeCount": 0, "indexedAt": iso(at),
    }


def jetstream_event(did: str, rkey: str, text: str, at: datetime, time_us: int,
                    operation: str = "create") -> dict[str, Any]:
    """A Jetstream commit event for a post."""
    commit: dict[str, Any] = {"rev": "3l" + rkey, "operation": operation,
                              "collection": "app.bsky.feed.post", "rkey": rkey}
    if operation != "delete":
        commit["record"] = {"$type": "app.bsky.feed.post", "createdAt": iso(at),
                            "langs": ["en"], "text": text}
        commit["cid"] = "bafy" + rkey
    return {"did": did, "time_us": time_us, "kind": "commit", "commit": commit}


class _Server:
    """A threaded HTTP server on 127.0.0.1 answering through ``self.answer``."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], bytes]] = []
        self.busy: int = 0  # answer this many requests with 429 first
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                q = parse_qs(parts.query)
                owner.requests.append((parts.path, q, body))
                if owner.busy > 0:
                    owner.busy -= 1
                    code, headers, payload = 429, {"Retry-After": "30"}, {"error": "rate"}
                else:
                    code, headers, payload = owner.answer(method, parts.path, q, body)
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._reply("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._reply("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, method: str, path: str, q: dict[str, list[str]], body: bytes
               ) -> tuple[int, dict[str, str], Any]:
        raise NotImplementedError

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _one(q: dict[str, list[str]], name: str) -> str | None:
    return q[name][0] if name in q else None


class FakeMastodon(_Server):
    def __init__(self) -> None:
        self.statuses: list[dict[str, Any]] = []  # any order; served newest first
        super().__init__()

    def _page(self, q: dict[str, list[str]]) -> list[dict[str, Any]]:
        limit = min(int(_one(q, "limit") or 20), 40)
        rows = sorted(self.statuses, key=lambda s: int(s["id"]), reverse=True)
        if (m := _one(q, "max_id")) is not None:
            rows = [s for s in rows if int(s["id"]) < int(m)]
        if (s_id := _one(q, "since_id")) is not None:
            rows = [s for s in rows if int(s["id"]) > int(s_id)]
        if (mn := _one(q, "min_id")) is not None:  # the page immediately newer than min_id
            rows = [s for s in rows if int(s["id"]) > int(mn)][-limit:]
        return rows[:limit]

    def answer(self, method: str, path: str, q: dict[str, list[str]], body: bytes
               ) -> tuple[int, dict[str, str], Any]:
        if path.startswith("/api/v1/timelines/tag/"):
            page = self._page(q)
            headers = {}
            if page:
                base = f"{self.url}{path}?limit={_one(q, 'limit') or 20}"
                headers["Link"] = (f'<{base}&max_id={page[-1]["id"]}>; rel="next", '
                                   f'<{base}&min_id={page[0]["id"]}>; rel="prev"')
            return 200, headers, page
        if path == "/api/v2/search":
            words = (_one(q, "q") or "").lower()
            hits = [s for s in self._page(q) if words in s["content"].lower()]
            return 200, {}, {"accounts": [], "statuses": hits, "hashtags": []}
        return 404, {}, {"error": "Record not found"}


class FakeBluesky(_Server):
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        super().__init__()

    def answer(self, method: str, path: str, q: dict[str, list[str]], body: bytes
               ) -> tuple[int, dict[str, str], Any]:
        if path != "/xrpc/app.bsky.feed.searchPosts":
            return 404, {}, {"error": "MethodNotImplemented", "message": "Method Not Found"}
        if not _one(q, "q"):
            return 400, {}, {"error": "InvalidRequest", "message": 'Error: Params must have '
                             'the property "q"'}
        words = (_one(q, "q") or "").lower()
        rows = sorted((p for p in self.posts if words in p["record"]["text"].lower()),
                      key=lambda p: p["indexedAt"], reverse=True)
        if (since := _one(q, "since")) is not None:
            rows = [p for p in rows if p["indexedAt"] >= since]
        start = int(_one(q, "cursor") or 0)
        limit = min(int(_one(q, "limit") or 25), 100)
        page = rows[start:start + limit]
        out: dict[str, Any] = {"hitsTotal": len(rows), "posts": page}
        if start + limit < len(rows):
            out["cursor"] = str(start + limit)
        return 200, {}, out


class WebhookSink(_Server):
    def __init__(self) -> None:
        super().__init__()

    def answer(self, method: str, path: str, q: dict[str, list[str]], body: bytes
               ) -> tuple[int, dict[str, str], Any]:
        return 200, {}, {"ok": True}

    def posted(self) -> list[dict[str, Any]]:
        return [json.loads(b) for p, _, b in self.requests if b]


class FakeJetstream:
    """Replays ``events`` (sorted by time_us) from the client's cursor, then waits."""

    def __init__(self, events: list[dict[str, Any]] | None = None,
                 close_after_replay: bool = False) -> None:
        self.events: list[dict[str, Any]] = list(events or [])
        self.close_after_replay = close_after_replay
        self.paths: list[str] = []
        self.server = serve(self._handler, "127.0.0.1", 0, compression=None)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self._stop = threading.Event()

    def messages(self, cursor: int | None) -> Iterator[str]:
        for e in sorted(self.events, key=lambda e: e["time_us"]):
            if cursor is None or e["time_us"] >= cursor:
                yield json.dumps(e)

    def _handler(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else ""
        self.paths.append(path)
        q = parse_qs(urlsplit(path).query)
        cursor = int(q["cursor"][0]) if "cursor" in q else None
        for m in self.messages(cursor):
            ws.send(m)
        if self.close_after_replay:
            return
        self._stop.wait(60)

    def close(self) -> None:
        self._stop.set()
        self.server.shutdown()


def at(minutes_ago: float, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(minutes=minutes_ago)
