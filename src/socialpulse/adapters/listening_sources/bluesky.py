"""Bluesky search: ``GET /xrpc/app.bsky.feed.searchPosts`` (``sort=latest``), read forward from a
time cursor.

The lexicon answers ``{"cursor"?, "hitsTotal"?, "posts": [postView]}``, newest first, and pages
backwards with ``cursor``. A poll passes ``since`` (the newest ``indexedAt`` stored so far;
inclusive, so the boundary post comes again and its URI makes it the same mention) and follows
the cursor while pages are full, up to ``MAX_PAGES``. A first poll reads one page. Posts the
parser refuses are counted as skipped.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from socialpulse.adapters.connectors.files import post_view_to_mention
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.listening.rules_records import LiveRead

from .http import SourceUnavailable, get_json

PAGE_LIMIT = 100
MAX_PAGES = 10


class BlueskySearchPoller:
    """Polls ``app.bsky.feed.searchPosts`` on an AppView (``instance_url``) for ``query``."""

    def __init__(self, instance_url: str, query: str, today: date,
                 client: httpx.Client | None = None) -> None:
        self.base = instance_url.rstrip("/")
        self.query = query
        self.today = today
        self.client = client or httpx.Client(follow_redirects=False)
        self.who = f"bluesky {self.base}"

    def poll(self, cursor: str | None) -> LiveRead:
        url = f"{self.base}/xrpc/app.bsky.feed.searchPosts"
        posts: dict[str, Any] = {}
        page_cursor: str | None = None
        for _ in range(MAX_PAGES if cursor else 1):
            body, _resp = get_json(self.client, url, {
                "q": self.query, "sort": "latest", "limit": PAGE_LIMIT, "since": cursor,
                "cursor": page_cursor}, self.who)
            page = body.get("posts") if isinstance(body, dict) else None
            if not isinstance(page, list):
                raise SourceUnavailable(f"{self.who}: searchPosts did not answer a posts list")
            for p in page:
                if isinstance(p, dict) and isinstance(p.get("uri"), str):
                    posts[p["uri"]] = p
            page_cursor = body.get("cursor") if isinstance(body.get("cursor"), str) else None
            if not page_cursor or len(page) < PAGE_LIMIT:
                break
        return self._read(posts, cursor)

    def _read(self, posts: dict[str, Any], cursor: str | None) -> LiveRead:
        mentions: list[RawMention] = []
        skipped = 0
        newest = cursor
        for uri, p in posts.items():
            try:
                mentions.append(post_view_to_mention(p, f"{self.who} post {uri}", self.today))
            except InvalidInput:
                skipped += 1
                continue
            at = p.get("indexedAt")
            if isinstance(at, str) and (newest is None or at > newest):
                newest = at
        mentions.sort(key=lambda m: (m.published_at, m.mention_id))
        return LiveRead(mentions, newest if newest != cursor else None, skipped)
