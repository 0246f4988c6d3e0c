"""Live listening's stored values: a source polled or streamed, and an alert a rule fired.

They cross the ports between the live listening services and the app database, so services
never name an adapter's row type. Pure values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialpulse.domain.listening.mention import RawMention

#: (network, kind) pairs a live source can be, with what its ``query`` holds
SOURCE_KINDS: dict[tuple[str, str], str] = {
    ("mastodon", "tag"): "a hashtag (without #), read from the instance's tag timeline",
    ("mastodon", "search"): "search words, read from the instance's status search",
    ("bluesky", "search"): "search words, read from app.bsky.feed.searchPosts",
    ("jetstream", "firehose"): "every new Bluesky post, filtered by the brand queries",
}
DEFAULT_INSTANCE = {
    "mastodon": "https://mastodon.social",
    "bluesky": "https://public.api.bsky.app",
    "jetstream": "wss://jetstream2.us-east.bsky.network",
}


@dataclass(frozen=True)
class LiveSource:
    """One live source of a workspace; ``cursor`` is where the next read resumes (a status
    id, a time, a Jetstream ``time_us``), saved only after the mentions before it are stored."""

    id: int
    workspace_id: int
    network: str
    kind: str
    query: str
    instance_url: str
    interval_s: int
    cursor: str | None
    last_error: str | None
    mentions: int
    last_polled_at: datetime | None
    created_at: datetime

    @property
    def label(self) -> str:
        what = "#" + self.query if self.kind == "tag" else (self.query or "all posts")
        return f"{self.network} {self.kind} {what}"


@dataclass(frozen=True)
class AlertEvent:
    """An alert a rule fired: what it says, why (``details``: terms, authors, posts), and
    whether a person acknowledged it (from the link in the message, by ``token``)."""

    id: int
    workspace_id: int
    rule_id: int
    bucket: str
    title: str
    details: dict[str, Any]
    token: str
    status: str
    fired_at: datetime
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class LiveRead:
    """What one poll of a source brought: new mentions (oldest first) and the cursor to resume
    from once they are stored (None: keep the old one)."""

    mentions: list[RawMention]
    cursor: str | None
    skipped: int = 0  # records the source sent that are not mentions (no text, bad dates)
