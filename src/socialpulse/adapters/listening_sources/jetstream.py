"""Bluesky's Jetstream firehose: every new post as JSON over a websocket.

``GET {base}/subscribe?wantedCollections=app.bsky.feed.post&cursor=TIME_US`` streams events
``{"did", "time_us", "kind": "commit", "commit": {"operation": "create", "collection":
"app.bsky.feed.post", "rkey", "record": {"text", "langs", "createdAt", ...}}}`` (plus
``identity`` and ``account`` events, updates and deletes, which carry no new post). The cursor
is a ``time_us``: reconnecting with the last one stored replays from there, and the post's
URI (``at://DID/app.bsky.feed.post/RKEY``, the same id the search API gives) makes a replayed
post the same mention.

`JetstreamFirehose.items` yields one `FirehoseItem` per event, and an empty one whenever
``tick_s`` passes without an event, so the consumer can commit by time as well as by count.
A dropped connection is reopened from the last ``time_us`` seen, with a growing pause.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from socialpulse.adapters.connectors.files import MAX_TEXT_CHARS, parse_time
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.platforms import PLATFORMS, Network

from .http import SourceUnavailable

log = logging.getLogger("socialpulse.listening.jetstream")
POST = "app.bsky.feed.post"
MAX_MESSAGE_BYTES = 1 << 20
_BLUESKY = PLATFORMS[Network.BLUESKY]


@dataclass(frozen=True)
class FirehoseItem:
    """One event (``time_us`` set; ``mention`` set when it is a new post) or a quiet tick."""

    mention: RawMention | None = None
    time_us: int | None = None
    skipped: bool = False  # a post event that could not be read (no text, a bad date)


def event_to_mention(event: Any, today: date) -> RawMention | None:
    """The new post an event carries, None for any other event; `InvalidInput` for a post
    event that cannot be read."""
    if not isinstance(event, dict) or event.get("kind") != "commit":
        return None
    commit = event.get("commit")
    if not isinstance(commit, dict) or commit.get("operation") != "create" \
            or commit.get("collection") != POST:
        return None
    did, rkey, record = event.get("did"), commit.get("rkey"), commit.get("record")
    if not isinstance(did, str) or not isinstance(rkey, str) or not isinstance(record, dict):
        raise InvalidInput("jetstream: a post event without did, rkey or record")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f"jetstream: post {rkey} of {did}: no text")
    where = f"jetstream post at://{did}/{POST}/{rkey}"
    langs = record.get("langs")
    return RawMention(
        mention_id=f"bluesky:at://{did}/{POST}/{rkey}",
        network="bluesky",
        published_at=parse_time(record.get("createdAt"), where, "record.createdAt", today),
        text=text[:MAX_TEXT_CHARS],
        author="@" + did,
        author_followers=None,  # the firehose carries no profile
        lang=str(langs[0]).lower()[:8] if isinstance(langs, list) and langs else "",
        url=_BLUESKY.post_link(did, rkey),
        where=where,
    )


def subscribe_url(base: str, cursor: int | None) -> str:
    query: dict[str, Any] = {"wantedCollections": POST}
    if cursor is not None:
        query["cursor"] = cursor
    return f"{base.rstrip('/')}/subscribe?{urlencode(query)}"


class JetstreamFirehose:
    """A reconnecting Jetstream reader (``base`` ws:// or wss:// without ``/subscribe``)."""

    def __init__(self, base: str, today: Callable[[], date],
                 max_pause_s: float = 30.0) -> None:
        self.base = base
        self.today = today
        self.max_pause_s = max_pause_s

    def items(self, cursor: int | None, stop: threading.Event, tick_s: float = 0.25
              ) -> Iterator[FirehoseItem]:
        pause = 0.5
        while not stop.is_set():
            try:
                with connect(subscribe_url(self.base, cursor), open_timeout=10,
                             max_size=MAX_MESSAGE_BYTES, close_timeout=2) as ws:
                    pause = 0.5
                    for item in self._read(ws, stop, tick_s):
                        if item.time_us is not None:
                            cursor = item.time_us
                        yield item
                    return  # stopped
            except (ConnectionClosed, OSError, TimeoutError, InvalidHandshake) as exc:
                log.warning("jetstream %s: %s; reconnecting in %.1f s", self.base,
                            type(exc).__name__, pause)
            except InvalidURI:
                raise SourceUnavailable(f"jetstream: {self.base!r} is not a websocket "
                                        "address") from None
            if stop.wait(pause):
                return
            pause = min(pause * 2, self.max_pause_s)

    def _read(self, ws: ClientConnection, stop: threading.Event, tick_s: float
              ) -> Iterator[FirehoseItem]:
        while not stop.is_set():
            try:
                message = ws.recv(timeout=tick_s)
            except TimeoutError:
                yield FirehoseItem()
                continue
            yield self.parse(message)

    def parse(self, message: str | bytes) -> FirehoseItem:
        """One websocket message as an item; unreadable JSON is a skipped event."""
        try:
            event = json.loads(message)
        except (ValueError, RecursionError):
            return FirehoseItem(skipped=True)
        t = event.get("time_us") if isinstance(event, dict) else None
        time_us = t if isinstance(t, int) and not isinstance(t, bool) and t > 0 else None
        try:
            return FirehoseItem(event_to_mention(event, self.today()), time_us)
        except InvalidInput:
            return FirehoseItem(None, time_us, skipped=True)
