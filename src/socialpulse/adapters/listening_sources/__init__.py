"""Live listening sources: polled APIs (Mastodon tag timeline and search, Bluesky search) and
the Jetstream firehose. One module per source; `LiveSources` is the port the live listening
service receives (`services/listening_live_ports.py`), so no service branches per network.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import httpx

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.listening.rules_records import SOURCE_KINDS, LiveRead, LiveSource

from .bluesky import BlueskySearchPoller
from .http import check_base_url
from .jetstream import FirehoseItem, JetstreamFirehose
from .mastodon import MastodonPoller

__all__ = ["FirehoseItem", "LiveSources"]


def _today() -> date:
    return datetime.now(UTC).date()


class LiveSources:
    """Opens live sources: polls one (`poll`) or streams the firehose (`firehose`)."""

    def __init__(self, today: Callable[[], date] = _today,
                 client: httpx.Client | None = None) -> None:
        self.today = today
        self._client = client

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(follow_redirects=False)
        return self._client

    def check(self, network: str, kind: str, instance_url: str) -> str:
        """The instance address normalised, or one error line naming what is wrong."""
        if (network, kind) not in SOURCE_KINDS:
            known = ", ".join(f"{n} {k}" for n, k in SOURCE_KINDS)
            raise InvalidInput(f"source: unknown network and kind {network} {kind}; use one "
                               f"of: {known}")
        schemes = ("wss", "ws") if network == "jetstream" else ("https", "http")
        return check_base_url(instance_url, "--instance", schemes)

    def poll(self, source: LiveSource) -> LiveRead:
        """What is new at a polled source since its cursor."""
        if source.network == "mastodon":
            return MastodonPoller(source.instance_url, source.kind, source.query, self.today(),
                                  self.client).poll(source.cursor)
        if source.network == "bluesky":
            return BlueskySearchPoller(source.instance_url, source.query, self.today(),
                                       self.client).poll(source.cursor)
        raise InvalidInput(f"source {source.id}: {source.network} is streamed, not polled "
                           "(`socialpulse listen stream`)")

    def firehose(self, source: LiveSource, stop: threading.Event, tick_s: float = 0.25
                 ) -> Iterator[FirehoseItem]:
        """The firehose's events from the source's cursor until ``stop`` is set."""
        cursor = int(source.cursor) if source.cursor and source.cursor.isdigit() else None
        return JetstreamFirehose(source.instance_url, self.today).items(cursor, stop, tick_s)
