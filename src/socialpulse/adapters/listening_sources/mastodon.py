"""Mastodon: a hashtag timeline (``GET /api/v1/timelines/tag/:hashtag``) or a status search
(``GET /api/v2/search?type=statuses``), read forward from a cursor.

Both answer newest first. A poll asks for what is newer than the cursor (``since_id`` on the
timeline, ``min_id`` on search) and follows the ``Link: <...>; rel="next"`` header (older
pages) until it reaches the cursor or ``MAX_PAGES``; the new cursor is the largest status id
seen. A first poll (no cursor) reads one page: listening starts now, it does not backfill the
instance's history. Reblogs are read as the status they boost; statuses the file parser
refuses (no text, impossible dates) are counted as skipped, not fatal: one odd post must not
stop a live source. Mentions are keyed by the status URI (global across instances), so the
same post seen through two instances or sources is one mention.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from socialpulse.adapters.connectors.files import status_to_mention
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.listening.rules_records import LiveRead

from .http import SourceUnavailable, get_json

PAGE_LIMIT = 40
MAX_PAGES = 10


def _id_key(value: str) -> tuple[int, str]:
    """Mastodon ids are decimal strings (snowflakes): order by length, then text."""
    return (len(value), value)


class MastodonPoller:
    """Polls one Mastodon source: ``kind`` "tag" (``query`` a hashtag) or "search"."""

    def __init__(self, instance_url: str, kind: str, query: str, today: date,
                 client: httpx.Client | None = None) -> None:
        self.base = instance_url.rstrip("/")
        self.kind = kind
        self.query = query.lstrip("#")
        self.today = today
        self.client = client or httpx.Client(follow_redirects=False)
        self.who = f"mastodon {self.base}"

    def _first_url(self, cursor: str | None) -> tuple[str, dict[str, Any]]:
        if self.kind == "tag":
            return (f"{self.base}/api/v1/timelines/tag/{quote(self.query, safe='')}",
                    {"limit": PAGE_LIMIT, "since_id": cursor})
        return (f"{self.base}/api/v2/search",
                {"q": self.query, "type": "statuses", "limit": PAGE_LIMIT,
                 "min_id": cursor, "resolve": "false"})

    def poll(self, cursor: str | None) -> LiveRead:
        url, params = self._first_url(cursor)
        statuses: dict[str, Any] = {}
        for _ in range(MAX_PAGES if cursor else 1):
            body, resp = get_json(self.client, url, params, self.who)
            page = body.get("statuses") if isinstance(body, dict) else body
            if not isinstance(page, list):
                raise SourceUnavailable(f"{self.who}: {url} did not answer a list of statuses")
            older = False
            for st in page:
                sid = str(st.get("id", "")) if isinstance(st, dict) else ""
                if not sid:
                    continue
                if cursor and _id_key(sid) <= _id_key(cursor):
                    older = True
                    continue
                statuses[sid] = st
            nxt = resp.links.get("next", {}).get("url")
            if older or not page or not nxt or len(page) < PAGE_LIMIT:
                break
            url, params = str(nxt), {}
        return self._read(statuses, cursor)

    def _read(self, statuses: dict[str, Any], cursor: str | None) -> LiveRead:
        mentions: list[RawMention] = []
        skipped = 0
        for sid in sorted(statuses, key=_id_key):
            try:
                mentions.append(status_to_mention(statuses[sid], f"{self.who} status {sid}",
                                                  self.today))
            except InvalidInput:
                skipped += 1
        newest = max(statuses, key=_id_key) if statuses else None
        if newest is not None and cursor is not None and _id_key(newest) <= _id_key(cursor):
            newest = None
        return LiveRead(mentions, newest, skipped)
