"""YouTube: any channel's public data with an API key (YouTube Data API v3).

Calls (developers.google.com/youtube/v3/docs), the key sent as ``X-Goog-Api-Key`` (never in
the URL, which HTTP clients log):
- ``GET /youtube/v3/channels?part=snippet,statistics,contentDetails&forHandle=@h``: the
  channel, its subscribers (unless hidden) and its uploads playlist; no ``items``: no such
  channel;
- ``GET /youtube/v3/playlistItems?part=contentDetails&playlistId=UU...&maxResults=50&pageToken=``
  newest first, ``nextPageToken`` naming the next page;
- ``GET /youtube/v3/videos?part=snippet,statistics&id=a,b,...``: each video's counters
  (``viewCount``, ``likeCount``, ``commentCount``, as strings; likes may be hidden).
Errors are ``{"error": {"code", "message", "errors": [{"reason"}]}}``: ``keyInvalid`` /
"API key not valid" (400) is a refused credential, ``quotaExceeded`` (403) waits for the next
day's quota. The channel's own analytics (OAuth, YouTube Analytics API) are not connected yet:
Studio exports cover them (`adapters/importers/youtube.py`, whose video ids these share).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pyarrow as pa

from socialpulse.domain.connections import (
    AccountInfo,
    AuthFailed,
    ConnectionKind,
    ConnectorError,
    Credentials,
    PostPage,
    Quota,
    RawPost,
    Unavailable,
)
from socialpulse.domain.platforms import PLATFORMS, Network
from socialpulse.services.import_model import Parsed

from .http import CallPolicy, PoliteClient, expect

PAGE_SIZE = 50
_COUNTERS = {"video_views": "viewCount", "likes": "likeCount", "comments": "commentCount"}


def _number(v: Any) -> int | None:
    """A count as the API writes it (a decimal string), None when absent or hidden."""
    text = str(v) if isinstance(v, (str, int)) and not isinstance(v, bool) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _part(p: RawPost, name: str) -> dict[str, Any]:
    part = p.data.get(name)
    return dict(part) if isinstance(part, Mapping) else {}


class YouTubeConnector:
    """The `Connector` port for one YouTube channel's public data."""

    network = Network.YOUTUBE

    def __init__(self, kind: ConnectionKind, creds: Credentials, policy: CallPolicy,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.kind = kind
        self.creds = creds
        self.client = PoliteClient(creds.server, "YouTube", policy, transport)
        self._channel: dict[str, Any] | None = None

    @staticmethod
    def default_server(kind: ConnectionKind) -> str | None:
        return "https://www.googleapis.com"

    @staticmethod
    def secret_for(kind: ConnectionKind) -> str | None:
        if kind is ConnectionKind.OWN:
            raise ConnectorError("YouTube: an own channel's analytics need Google sign-in, "
                                 "which is not supported yet; import YouTube Studio exports, "
                                 "or connect its public data (--public with an API key)")
        return "API key"

    @property
    def quota(self) -> Quota:
        return self.client.quota

    def close(self) -> None:
        self.client.close()

    def _get(self, path: str, params: Mapping[str, Any]) -> Any:
        key = self.creds.secret.reveal() if self.creds.secret else ""
        try:
            data, _ = self.client.get(path, params, headers={"X-Goog-Api-Key": key})
        except ConnectorError as exc:
            if "API key not valid" in exc.message or "API key expired" in exc.message:
                raise AuthFailed(f"{exc.message}: the API key is wrong or was deleted",
                                 exc.status) from None
            if exc.status == 403 and "quota" in exc.message.lower():
                raise Unavailable(f"{exc.message}: the API key's daily quota is spent; the "
                                  "sync is tried again tomorrow", exc.status) from None
            raise
        return expect(data, dict, f"YouTube {path.rsplit('/', 1)[-1]}", "a JSON object")

    def check(self) -> AccountInfo:
        handle = "@" + self.creds.handle.strip().lstrip("@")
        data = self._get("/youtube/v3/channels", {
            "part": "snippet,statistics,contentDetails", "forHandle": handle})
        items = data.get("items") or []
        if not items or not isinstance(items[0], dict):
            raise ConnectorError(f"YouTube: no channel {handle!r}")
        self._channel = items[0]
        snippet = self._channel.get("snippet") or {}
        stats = self._channel.get("statistics") or {}
        name = str(snippet.get("customUrl") or handle).lstrip("@")
        hidden = bool(stats.get("hiddenSubscriberCount"))
        return AccountInfo(handle=name, name=str(snippet.get("title") or name),
                           url=PLATFORMS[Network.YOUTUBE].profile_link(name),
                           followers=None if hidden else _number(stats.get("subscriberCount")),
                           posts=_number(stats.get("videoCount")))

    def fetch_account(self) -> AccountInfo:
        return self.check()

    def fetch_account_metrics(self) -> Mapping[str, int]:
        info = self.fetch_account()
        return {"followers": info.followers} if info.followers is not None else {}

    def fetch_posts(self, page: str | None) -> PostPage:
        if self._channel is None:
            self.check()
        assert self._channel is not None
        uploads = ((self._channel.get("contentDetails") or {}).get("relatedPlaylists")
                   or {}).get("uploads")
        if not uploads:
            raise ConnectorError("YouTube channels: malformed answer: no uploads playlist")
        params: dict[str, Any] = {"part": "contentDetails", "playlistId": uploads,
                                  "maxResults": PAGE_SIZE}
        if page:
            params["pageToken"] = page
        listing = self._get("/youtube/v3/playlistItems", params)
        ids = [str((i.get("contentDetails") or {}).get("videoId") or "")
               for i in listing.get("items") or [] if isinstance(i, dict)]
        ids = [i for i in ids if i]
        videos = self._get("/youtube/v3/videos", {"part": "snippet,statistics",
                                                  "id": ",".join(ids)}) if ids else {}
        posts = [self._post(v) for v in videos.get("items") or [] if isinstance(v, dict)]
        posts.sort(key=lambda p: p.order, reverse=True)
        token = listing.get("nextPageToken")
        return PostPage(tuple(posts), str(token) if token and ids else None)

    def _post(self, v: Mapping[str, Any]) -> RawPost:
        when_text = str((v.get("snippet") or {}).get("publishedAt") or "")
        try:
            when = datetime.fromisoformat(when_text.replace("Z", "+00:00"))
        except ValueError:
            raise ConnectorError(f"YouTube videos: malformed answer: publishedAt "
                                 f"{when_text[:40]!r} is not a time") from None
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        order = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return RawPost(str(v.get("id") or ""), when, order, v)

    def to_parsed(self, posts: Sequence[RawPost], account: AccountInfo, observed_at: datetime,
                  tz: str) -> Parsed:
        """Videos as the lake's posts and snapshots (keys: the video id, like Studio's
        "Content" column), and the subscribers as followers on the observed day."""
        out = Parsed("YouTube channel", "youtube", Network.YOUTUBE, handle=account.handle,
                     handle_origin="the connected account", observed_at=observed_at,
                     observed_origin="the sync's time")
        link = PLATFORMS[Network.YOUTUBE]
        if posts:
            stats = [_part(p, "statistics") for p in posts]
            out.posts = pa.table({
                "post_id": pa.array([p.post_id for p in posts], pa.string()),
                "published_at": pa.array([p.published_at for p in posts],
                                         pa.timestamp("us", tz="UTC")),
                "post_type": pa.array(["video"] * len(posts), pa.string()),
                "text": pa.array([str(_part(p, "snippet").get("title") or "") or None
                                  for p in posts], pa.string()),
                "url": pa.array([link.post_link(account.handle, p.post_id) for p in posts],
                                pa.string())})
            out.snapshots = pa.table({
                "post_id": pa.array([p.post_id for p in posts], pa.string()),
                **{c: pa.array([_number(s.get(k)) for s in stats], pa.int64())
                   for c, k in _COUNTERS.items()}})
            out.rows_read = out.rows_used = len(posts)
        if account.followers is not None:
            day = observed_at.astimezone(ZoneInfo(tz)).date()
            out.daily = pa.table({"date": pa.array([day], pa.date32()),
                                  "followers": pa.array([account.followers], pa.int64())})
        return out
