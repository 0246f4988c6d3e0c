"""Local fake Mastodon and Bluesky servers answering as the platforms document.

Mastodon (docs.joinmastodon.org): ``GET /api/v1/accounts/verify_credentials`` (Bearer token;
401 ``{"error": "The access token is invalid"}``, 403 ``{"error": "This action is outside
the authorized scopes"}``), ``GET /api/v1/accounts/lookup?acct=`` (404 ``{"error": "Record not
found"}``), ``GET /api/v1/accounts/:id/statuses?limit=&max_id=&exclude_reblogs=`` (Status
entities newest first, ``Link: <...?max_id=N>; rel="next", <...?min_id=M>; rel="prev"``);
every answer carries ``X-RateLimit-Limit/Remaining/Reset`` (an ISO 8601 time).

Bluesky (XRPC lexicons): ``com.atproto.server.createSession`` / ``refreshSession``,
``app.bsky.actor.getProfile``, ``app.bsky.feed.getAuthorFeed`` (``cursor``), errors as
``{"error": Name, "message": ...}``, ``ExpiredToken`` (400) for an expired access JWT, and
``RateLimit-Limit/Remaining/Reset`` (epoch seconds) and ``RateLimit-Policy``.

Both count requests per rate-limit window on the test's clock and answer 429 with
``Retry-After`` past the limit (recorded in ``over_limit``: a polite client never gets one).
``faults`` injects answers once (a 5xx, a 429, a 401, a broken body) to test the client.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

SAMPLES = Path(__file__).parent.parent / "data" / "samples"


class FakeClock:
    """Time that moves only when told (``sleep`` advances it): a day runs in a moment."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.slept = 0.0

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self.slept += seconds

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


@dataclass
class Fault:
    path: str  # a prefix of the request path it answers
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class _Base:
    """Threaded server, rate-limit windows and injected faults shared by both fakes."""

    limit = 300
    window = timedelta(minutes=5)

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self.over_limit = 0
        self.max_in_window = 0
        self.hold: threading.Event | None = None  # block requests matching hold_path
        self.hold_path = ""
        self.held = threading.Event()
        self._window_start: datetime | None = None
        self._count = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                fake._serve(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._serve(self, "POST")

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def _window(self) -> tuple[int, datetime]:
        """Count this request in its window: (remaining after it, the window's end)."""
        now = self.clock()
        with self._lock:
            if self._window_start is None or now >= self._window_start + self.window:
                self._window_start, self._count = now, 0
            self._count += 1
            self.max_in_window = max(self.max_in_window, self._count)
            return self.limit - self._count, self._window_start + self.window

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        u = urlparse(h.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        length = int(h.headers.get("Content-Length") or 0)
        body = json.loads(h.rfile.read(length) or b"{}") if length else {}
        token = (h.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        self.requests.append(u.path)
        if self.hold is not None and self.hold_path and self.hold_path in h.path:
            self.held.set()
            self.hold.wait(120)
        remaining, reset = self._window()
        headers = self.rate_headers(max(remaining, 0), reset)
        if remaining < 0:
            self.over_limit += 1
            secs = max(int((reset - self.clock()).total_seconds()) + 1, 1)
            return self._send(h, 429, self.error("RateLimitExceeded", "Too many requests"),
                              {**headers, "Retry-After": str(secs)})
        for f in list(self.faults):
            if u.path.startswith(f.path):
                self.faults.remove(f)
                return self._send(h, f.status, f.body, {**headers, **f.headers})
        status, payload, extra = self.route(method, u.path, q, body, token, h.path)
        self._send(h, status, json.dumps(payload).encode(), {**headers, **extra})

    def _send(self, h: BaseHTTPRequestHandler, status: int, data: bytes,
              headers: dict[str, str]) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def rate_headers(self, remaining: int, reset: datetime) -> dict[str, str]:
        raise NotImplementedError

    def error(self, name: str, message: str) -> bytes:
        raise NotImplementedError

    def route(self, method: str, path: str, q: dict[str, str], body: Any, token: str,
              raw: str) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError


# --- Mastodon ---------------------------------------------------------------------------------

def mastodon_status_template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (SAMPLES / "mastodon" / "status_example_from_docs.json").read_text(encoding="utf-8"))
    return data


class FakeMastodon(_Base):
    """One instance (its host named ``mastodon.social`` in account URLs, as the docs'
    example) with one own account (Gargron, the docs' example) and public accounts."""

    limit = 300

    def __init__(self, clock: Callable[[], datetime], token: str = "good-token") -> None:
        self.token = token
        self.scoped = True
        template = mastodon_status_template()
        self.account: dict[str, Any] = dict(template["account"])
        self.accounts: dict[str, dict[str, Any]] = {"1": self.account}
        self.statuses: dict[str, list[dict[str, Any]]] = {"1": []}
        super().__init__(clock)

    def add_public(self, acct: str, account_id: str, followers: int) -> dict[str, Any]:
        a = dict(self.account, id=account_id, username=acct.split("@")[0], acct=acct,
                 url=f"https://{acct.split('@')[1]}/@{acct.split('@')[0]}",
                 followers_count=followers)
        self.accounts[account_id] = a
        self.statuses[account_id] = []
        return a

    def post(self, account_id: str, status_id: int, at: datetime, likes: int, replies: int,
             boosts: int) -> dict[str, Any]:
        """A Status (the docs' example with this id, time and counts), newest first."""
        s = mastodon_status_template()
        acc = self.accounts[account_id]
        s.update(id=str(status_id), created_at=at.isoformat().replace("+00:00", "Z"),
                 favourites_count=likes, replies_count=replies, reblogs_count=boosts,
                 quotes_count=0, account=acc,
                 url=f"{acc['url']}/{status_id}", uri=f"{acc['url']}/statuses/{status_id}")
        self.statuses[account_id].append(s)
        self.statuses[account_id].sort(key=lambda x: int(x["id"]), reverse=True)
        return s

    def rate_headers(self, remaining: int, reset: datetime) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z")}

    def error(self, name: str, message: str) -> bytes:
        return json.dumps({"error": message}).encode()

    def route(self, method: str, path: str, q: dict[str, str], body: Any, token: str,
              raw: str) -> tuple[int, Any, dict[str, str]]:
        if path == "/api/v1/accounts/verify_credentials":
            if token != self.token:
                return 401, {"error": "The access token is invalid"}, {}
            if not self.scoped:
                return 403, {"error": "This action is outside the authorized scopes"}, {}
            return 200, self.account, {}
        if path == "/api/v1/accounts/lookup":
            for a in self.accounts.values():
                if a["acct"] == q.get("acct"):
                    return 200, a, {}
            return 404, {"error": "Record not found"}, {}
        parts = path.split("/")
        if len(parts) == 6 and parts[1:4] == ["api", "v1", "accounts"] and parts[5] == "statuses":
            if token and token != self.token:
                return 401, {"error": "The access token is invalid"}, {}
            return self._statuses(parts[4], q)
        return 404, {"error": "Record not found"}, {}

    def _statuses(self, account_id: str, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if account_id not in self.statuses:
            return 404, {"error": "Record not found"}, {}
        limit = min(int(q.get("limit", "20")), 40)
        rows = [s for s in self.statuses[account_id]
                if "max_id" not in q or int(s["id"]) < int(q["max_id"])]
        page = copy.deepcopy(rows[:limit])
        headers = {}
        if page:
            base = f"{self.url}/api/v1/accounts/{account_id}/statuses?limit={limit}"
            links = []
            if len(rows) > limit:
                links.append(f'<{base}&max_id={page[-1]["id"]}>; rel="next"')
            links.append(f'<{base}&min_id={page[0]["id"]}>; rel="prev"')
            headers["Link"] = ", ".join(links)
        return 200, page, headers


# --- Bluesky ----------------------------------------------------------------------------------

def _jwt(claims: dict[str, Any]) -> str:
    def b64(d: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return f"{b64({'typ': 'at+jwt', 'alg': 'ES256K'})}.{b64(claims)}.c2lnbmF0dXJl"


def bluesky_feed_items(name: str = "atproto_author-feed_self.json") -> list[dict[str, Any]]:
    data = json.loads((SAMPLES / "bluesky" / name).read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = data["feed"]
    return items


class FakeBluesky(_Base):
    """A PDS + AppView: sessions by app password, profiles and author feeds."""

    limit = 3000
    access_ttl = timedelta(hours=2)

    def __init__(self, clock: Callable[[], datetime], password: str = "abcd-efgh-ijkl-mnop"
                 ) -> None:
        self.password = password
        self.profiles: dict[str, dict[str, Any]] = {}
        self.feeds: dict[str, list[dict[str, Any]]] = {}
        self.sessions = 0
        self.refreshes = 0
        self._tokens: dict[str, tuple[str, datetime]] = {}  # access token -> did, expiry
        self._refresh: dict[str, str] = {}
        super().__init__(clock)

    def add_account(self, handle: str, did: str, followers: int,
                    items: list[dict[str, Any]]) -> None:
        self.profiles[handle] = self.profiles[did] = {
            "did": did, "handle": handle, "displayName": handle.split(".")[0].title(),
            "followersCount": followers, "followsCount": 12, "postsCount": len(items),
            "indexedAt": "2024-03-01T12:00:00.000Z"}
        self.feeds[did] = items

    def rate_headers(self, remaining: int, reset: datetime) -> dict[str, str]:
        return {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(remaining),
                "RateLimit-Reset": str(int(reset.timestamp())),
                "RateLimit-Policy": f"{self.limit};w={int(self.window.total_seconds())}"}

    def error(self, name: str, message: str) -> bytes:
        return json.dumps({"error": name, "message": message}).encode()

    def _session(self, did: str) -> dict[str, Any]:
        exp = self.clock() + self.access_ttl
        access = _jwt({"scope": "com.atproto.appPass", "sub": did, "exp": int(exp.timestamp()),
                       "n": len(self._tokens)})
        refresh = _jwt({"scope": "com.atproto.refresh", "sub": did, "n": len(self._refresh)})
        self._tokens[access] = (did, exp)
        self._refresh[refresh] = did
        return {"did": did, "handle": self.profiles[did]["handle"], "accessJwt": access,
                "refreshJwt": refresh, "active": True}

    def expire_tokens(self) -> None:
        self._tokens = {t: (d, self.clock() - timedelta(seconds=1))
                        for t, (d, _) in self._tokens.items()}

    def route(self, method: str, path: str, q: dict[str, str], body: Any, token: str,
              raw: str) -> tuple[int, Any, dict[str, str]]:
        nsid = path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession":
            prof = self.profiles.get(str(body.get("identifier")))
            if prof is None or body.get("password") != self.password:
                return 401, {"error": "AuthenticationRequired",
                             "message": "Invalid identifier or password"}, {}
            self.sessions += 1
            return 200, self._session(prof["did"]), {}
        if nsid == "com.atproto.server.refreshSession":
            did = self._refresh.pop(token, None)
            if did is None:
                return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
            self.refreshes += 1
            return 200, self._session(did), {}
        if token:
            known = self._tokens.get(token)
            if known is None:
                return 401, {"error": "AuthenticationRequired", "message": "Invalid token"}, {}
            if known[1] <= self.clock():
                return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
        if nsid == "app.bsky.actor.getProfile":
            prof = self.profiles.get(q.get("actor", ""))
            if prof is None:
                return 400, {"error": "InvalidRequest", "message": "Profile not found"}, {}
            return 200, prof, {}
        if nsid == "app.bsky.feed.getAuthorFeed":
            return self._feed(q)
        return 501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}, {}

    def _feed(self, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        prof = self.profiles.get(q.get("actor", ""))
        if prof is None:
            return 400, {"error": "InvalidRequest", "message": "Profile not found"}, {}
        items = self.feeds[prof["did"]]
        start = int(q.get("cursor") or 0)
        limit = min(int(q.get("limit", "50")), 100)
        page = copy.deepcopy(items[start:start + limit])
        out: dict[str, Any] = {"feed": page}
        if start + limit < len(items):
            out["cursor"] = str(start + limit)
        return 200, out, {}


def bluesky_post(handle: str, did: str, n: int, at: datetime, likes: int, replies: int,
                 reposts: int) -> dict[str, Any]:
    """A feed item ({post: postView}) shaped as the lexicon's app.bsky.feed.defs#postView."""
    when = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"post": {
        "uri": f"at://{did}/app.bsky.feed.post/3k{n:011d}", "cid": f"bafyrei{n:08d}",
        "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0]},
        "record": {"$type": "app.bsky.feed.post", "createdAt": when, "text": f"post {n}"},
        "replyCount": replies, "repostCount": reposts, "likeCount": likes, "quoteCount": 0,
        "indexedAt": when, "labels": []}}


# --- YouTube Data API v3 ----------------------------------------------------------------------

class FakeYouTube(_Base):
    """channels.list (forHandle), playlistItems.list (pageToken), videos.list, keyed by
    ``X-Goog-Api-Key``; errors as Google APIs write them. YouTube reports a daily quota in
    units rather than rate-limit headers, so none are sent."""

    limit = 10_000

    def __init__(self, clock: Callable[[], datetime], key: str = "AIza-test-key") -> None:
        self.key = key
        self.channels: dict[str, dict[str, Any]] = {}
        self.videos: dict[str, list[dict[str, Any]]] = {}  # uploads playlist -> newest first
        self.quota_spent = False
        super().__init__(clock)

    def add_channel(self, handle: str, subscribers: int, videos: list[dict[str, Any]]) -> None:
        cid = f"UC{handle.strip('@')[:20]:_<22}"
        self.channels[handle.lower()] = {
            "kind": "youtube#channel", "etag": "e", "id": cid,
            "snippet": {"title": handle.strip("@").title(), "customUrl": handle.lower(),
                        "publishedAt": "2015-01-01T00:00:00Z"},
            "statistics": {"viewCount": "1000", "subscriberCount": str(subscribers),
                           "hiddenSubscriberCount": False, "videoCount": str(len(videos))},
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UU" + cid[2:]}}}
        self.videos["UU" + cid[2:]] = videos

    def rate_headers(self, remaining: int, reset: datetime) -> dict[str, str]:
        return {}

    def error(self, name: str, message: str) -> bytes:
        return json.dumps({"error": {"code": 429, "message": message,
                                     "errors": [{"reason": name}]}}).encode()

    @staticmethod
    def _google_error(code: int, reason: str, message: str) -> dict[str, Any]:
        return {"error": {"code": code, "message": message, "errors": [
            {"message": message, "domain": "global", "reason": reason}]}}

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        self._key = h.headers.get("X-Goog-Api-Key") or ""
        super()._serve(h, method)

    def route(self, method: str, path: str, q: dict[str, str], body: Any, token: str,
              raw: str) -> tuple[int, Any, dict[str, str]]:
        if self._key != self.key:
            return 400, self._google_error(400, "badRequest", "API key not valid. Please "
                                           "pass a valid API key."), {}
        if self.quota_spent:
            return 403, self._google_error(403, "quotaExceeded", "The request cannot be "
                                           "completed because you have exceeded your <a "
                                           "href=\"/youtube/v3/getting-started#quota\">quota"
                                           "</a>."), {}
        if path == "/youtube/v3/channels":
            found = self.channels.get(q.get("forHandle", "").lower())
            return 200, {"kind": "youtube#channelListResponse", "etag": "e",
                         "pageInfo": {"totalResults": int(found is not None),
                                      "resultsPerPage": 5},
                         **({"items": [found]} if found else {})}, {}
        if path == "/youtube/v3/playlistItems":
            vids = self.videos.get(q.get("playlistId", ""))
            if vids is None:
                return 404, self._google_error(404, "playlistNotFound", "The playlist "
                                               "identified with the request's playlistId "
                                               "parameter cannot be found."), {}
            start = int(q.get("pageToken") or 0)
            size = min(int(q.get("maxResults", "5")), 50)
            page = vids[start:start + size]
            out: dict[str, Any] = {"kind": "youtube#playlistItemListResponse", "items": [
                {"kind": "youtube#playlistItem", "id": f"pi{v['id']}", "contentDetails": {
                    "videoId": v["id"], "videoPublishedAt": v["snippet"]["publishedAt"]}}
                for v in page], "pageInfo": {"totalResults": len(vids),
                                             "resultsPerPage": size}}
            if start + size < len(vids):
                out["nextPageToken"] = str(start + size)
            return 200, out, {}
        if path == "/youtube/v3/videos":
            wanted = set(q.get("id", "").split(","))
            items = [copy.deepcopy(v) for vids in self.videos.values() for v in vids
                     if v["id"] in wanted]
            return 200, {"kind": "youtube#videoListResponse", "items": items}, {}
        return 404, self._google_error(404, "notFound", "Not Found"), {}


def youtube_video(n: int, at: datetime, views: int, likes: int | None,
                  comments: int) -> dict[str, Any]:
    """A video resource (part=snippet,statistics); counts are strings, likes may be hidden."""
    stats = {"viewCount": str(views), "favoriteCount": "0", "commentCount": str(comments)}
    if likes is not None:
        stats["likeCount"] = str(likes)
    return {"kind": "youtube#video", "etag": "e", "id": f"vid{n:08d}",
            "snippet": {"publishedAt": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                        "title": f"Video {n}", "channelTitle": "Rival"},
            "statistics": stats}
