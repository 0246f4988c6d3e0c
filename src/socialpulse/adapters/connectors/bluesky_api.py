"""Bluesky: an own account by handle and app password, or any account's public data by handle.

XRPC calls (lexicons in bluesky-social/atproto ``lexicons/``):
- ``com.atproto.server.createSession`` {identifier, password} -> accessJwt, refreshJwt
  (own: 401 ``AuthenticationRequired`` for a wrong handle or app password);
  ``com.atproto.server.refreshSession`` with the refresh token, before the access token
  expires (its JWT ``exp``) or when a call answers ``ExpiredToken``;
- ``app.bsky.actor.getProfile?actor=`` (followersCount, followsCount, postsCount; 400
  ``InvalidRequest`` "Profile not found" for an unknown handle);
- ``app.bsky.feed.getAuthorFeed?actor=&limit=100&cursor=`` newest first, ``cursor`` naming the
  next (older) page. Public accounts are read from the public AppView without signing in.
Feed items are read by the export importer (`answers.py`), so keys match imported files.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import httpx

from socialpulse.adapters.importers.fediverse import parse_bluesky
from socialpulse.domain.connections import (
    AccountInfo,
    AuthFailed,
    ConnectionKind,
    ConnectorError,
    Credentials,
    PostPage,
    Quota,
    RawPost,
)
from socialpulse.domain.platforms import Network
from socialpulse.domain.publishing import Published, Variant, full_text
from socialpulse.services.import_model import Parsed

from .answers import parsed_answer
from .http import CallPolicy, PoliteClient, expect

PAGE_SIZE = 100
#: refresh the access token when it has less than this left
REFRESH_BEFORE = timedelta(minutes=5)
SERVERS = {ConnectionKind.OWN: "https://bsky.social",
           ConnectionKind.PUBLIC: "https://public.api.bsky.app"}


def _count(o: Mapping[str, Any], key: str) -> int | None:
    v = o.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None


def jwt_expiry(token: str) -> datetime | None:
    """The ``exp`` of a JWT (read, not verified: the server verifies it; we only plan)."""
    try:
        body = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def _instant(text: Any, where: str) -> datetime:
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ConnectorError(f"{where}: malformed answer: createdAt {str(text)[:40]!r} is not "
                             "a time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class BlueskyConnector:
    """The `Connector` port for one Bluesky account."""

    network = Network.BLUESKY

    def __init__(self, kind: ConnectionKind, creds: Credentials, policy: CallPolicy,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.kind = kind
        self.creds = creds
        self.policy = policy
        self.client = PoliteClient(creds.server, f"Bluesky {urlparse(creds.server).hostname}",
                                   policy, transport)
        self._access: str | None = None
        self._refresh: str | None = None
        self._did: str | None = None

    @staticmethod
    def default_server(kind: ConnectionKind) -> str | None:
        return SERVERS[kind]

    @staticmethod
    def secret_for(kind: ConnectionKind) -> str | None:
        return "app password" if kind is ConnectionKind.OWN else None

    @property
    def quota(self) -> Quota:
        return self.client.quota

    def close(self) -> None:
        self.client.close()

    # --- session -------------------------------------------------------------------------

    def _sign_in(self) -> None:
        if self.creds.secret is None:
            raise ConnectorError(f"Bluesky {self.creds.handle}: no app password stored")
        path = "/xrpc/com.atproto.server.createSession"
        try:
            data, _ = self.client.post(path, {"identifier": self.creds.handle.lstrip("@"),
                                              "password": self.creds.secret.reveal()})
        except AuthFailed as exc:
            raise AuthFailed(f"{exc.message}: the handle or app password is wrong, or the app "
                             "password was revoked", exc.status) from None
        self._session(data)

    def _session(self, data: Any) -> None:
        s = expect(data, dict, f"{self.client.label} sign-in", "a session object")
        if not s.get("accessJwt") or not s.get("did"):
            raise ConnectorError(f"{self.client.label} sign-in: malformed answer: no "
                                 "access token or account id")
        self._access, self._refresh = str(s["accessJwt"]), str(s.get("refreshJwt") or "")
        self._did = str(s["did"])

    def _renew(self) -> None:
        """A new access token: refreshSession with the refresh token, else a new session."""
        if self._refresh:
            try:
                data, _ = self.client.post("/xrpc/com.atproto.server.refreshSession", {},
                                           token=self._refresh)
                self._session(data)
                return
            except AuthFailed:
                pass
        self._sign_in()

    def _token(self) -> str | None:
        if self.kind is ConnectionKind.PUBLIC:
            return None
        if self._access is None:
            self._sign_in()
        exp = jwt_expiry(self._access or "")
        if exp is not None and exp - self.policy.clock() < REFRESH_BEFORE:
            self._renew()
        return self._access

    def _get(self, nsid: str, params: Mapping[str, Any]) -> Any:
        path = f"/xrpc/{nsid}"
        try:
            data, _ = self.client.get(path, params, token=self._token())
        except AuthFailed:
            if self.kind is ConnectionKind.PUBLIC:
                raise
            self._renew()  # expired or revoked access token: once more with a new one
            data, _ = self.client.get(path, params, token=self._access)
        return data

    # --- the Connector port --------------------------------------------------------------

    def check(self) -> AccountInfo:
        """The test call: sign in (own) and read the profile."""
        actor = self.creds.handle.lstrip("@")
        if self.kind is ConnectionKind.OWN:
            self._token()
            actor = self._did or actor
        try:
            data = self._get("app.bsky.actor.getProfile", {"actor": actor})
        except ConnectorError as exc:
            if exc.status == 400 and "Profile not found" in exc.message:
                raise type(exc)(f"{exc.message}: no Bluesky account {actor!r}",
                                exc.status) from None
            raise
        p = expect(data, dict, f"{self.client.label} profile", "a profile object")
        if not p.get("handle"):
            raise ConnectorError(f"{self.client.label} profile: malformed answer: no handle")
        if self._did is None:
            self._did = str(p.get("did") or "")
        return AccountInfo(handle=str(p["handle"]), name=str(p.get("displayName") or ""),
                           url=f"https://bsky.app/profile/{p['handle']}",
                           followers=_count(p, "followersCount"),
                           following=_count(p, "followsCount"), posts=_count(p, "postsCount"))

    def fetch_account(self) -> AccountInfo:
        return self.check()

    def fetch_account_metrics(self) -> Mapping[str, int]:
        info = self.fetch_account()
        return {"followers": info.followers} if info.followers is not None else {}

    def fetch_posts(self, page: str | None) -> PostPage:
        if self._did is None:
            self.check()
        params: dict[str, Any] = {"actor": self._did or self.creds.handle, "limit": PAGE_SIZE}
        if page:
            params["cursor"] = page
        data = self._get("app.bsky.feed.getAuthorFeed", params)
        where = f"{self.client.label} posts"
        body = expect(data, dict, where, "an object with a feed")
        feed = expect(body.get("feed"), list, where, "a feed array")
        posts = []
        for n, item in enumerate(feed, start=1):
            post = item.get("post") if isinstance(item, dict) else None
            if not isinstance(post, dict) or not post.get("uri"):
                raise ConnectorError(f"{where}: malformed answer: feed item {n} has no post")
            author = post.get("author") or {}
            if author.get("did") != self._did and author.get("handle") != self.creds.handle:
                continue  # a repost of someone else's post: its counts are theirs
            record = post.get("record") or {}
            when = _instant(record.get("createdAt") or post.get("indexedAt"), where)
            order = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # sorts as text
            posts.append(RawPost(str(post["uri"]), when, order, item))
        cursor = body.get("cursor")
        return PostPage(tuple(posts), str(cursor) if cursor and feed else None)

    def to_parsed(self, posts: Sequence[RawPost], account: AccountInfo, observed_at: datetime,
                  tz: str) -> Parsed:
        return parsed_answer(parse_bluesky, self.network, f"{self.client.label} author feed",
                             {"feed": [dict(p.data) for p in posts]}, account, observed_at, tz)

    # --- publishing (issue 17: the `Publisher` port) -------------------------------------

    def publish(self, variant: Variant, idempotency_key: str, record_key: str) -> Published:
        """``com.atproto.repo.createRecord`` with a deterministic ``rkey``: a resend names
        the same record, which the PDS refuses to make twice (then it is read back)."""
        if variant.media:
            raise ConnectorError(f"{self.client.label}: attaching media is not supported")
        record = post_record(full_text(variant), self.policy.clock())
        token = self._token()
        body = {"repo": self._did, "collection": _POST, "rkey": record_key, "record": record}
        try:
            data, _ = self.client.call("POST", "/xrpc/com.atproto.repo.createRecord",
                                       body=body, token=token, once=True)
        except ConnectorError as exc:
            if exc.status == 400 and "exist" in exc.message.lower():
                found = self.find(variant, idempotency_key, record_key, self.policy.clock())
                if found is not None:
                    return found
            raise
        made = expect(data, dict, f"{self.client.label} new post", "a record reference")
        return self._published(str(made.get("uri") or ""), str(made.get("cid") or ""),
                               record, record_key)

    def find(self, variant: Variant, idempotency_key: str, record_key: str,
             since: datetime) -> Published | None:
        """``com.atproto.repo.getRecord`` by the send's rkey (None: no such record)."""
        self._token()
        try:
            data = self._get("com.atproto.repo.getRecord",
                             {"repo": self._did, "collection": _POST, "rkey": record_key})
        except ConnectorError as exc:
            if exc.status in (400, 404) and ("RecordNotFound" in exc.message
                                             or "not found" in exc.message.lower()):
                return None
            raise
        got = expect(data, dict, f"{self.client.label} record", "a record")
        value = expect(got.get("value"), dict, f"{self.client.label} record", "a value")
        return self._published(str(got.get("uri") or ""), str(got.get("cid") or ""),
                               value, record_key)

    def _published(self, uri: str, cid: str, record: Mapping[str, Any], rkey: str
                   ) -> Published:
        where = f"{self.client.label} new post"
        if not uri.startswith("at://"):
            raise ConnectorError(f"{where}: malformed answer: no at:// URI")
        when = _instant(record.get("createdAt"), where)
        handle = self.creds.handle.lstrip("@")
        item = {"post": {"uri": uri, "cid": cid, "author": {"did": self._did, "handle": handle},
                         "record": dict(record), "replyCount": 0, "repostCount": 0,
                         "likeCount": 0, "quoteCount": 0, "indexedAt": record.get("createdAt")}}
        return Published(uri, f"https://bsky.app/profile/{handle}/post/{rkey}", when, item)


_POST = "app.bsky.feed.post"


def post_record(text: str, now: datetime) -> dict[str, Any]:
    """An ``app.bsky.feed.post`` record: text, time, and a link facet per URL (byte offsets
    in UTF-8, as the lexicon counts them) so links are clickable."""
    facets = []
    for m in _LINK.finditer(text):
        start = len(text[:m.start()].encode("utf-8"))
        end = start + len(m.group(0).encode("utf-8"))
        facets.append({"index": {"byteStart": start, "byteEnd": end},
                       "features": [{"$type": "app.bsky.richtext.facet#link",
                                     "uri": m.group(0)}]})
    record: dict[str, Any] = {"$type": _POST, "text": text,
                              "createdAt": now.astimezone(UTC).strftime(
                                  "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}
    if facets:
        record["facets"] = facets
    return record


_LINK = re.compile(r"https?://[^\s<>\"']+")
