"""The ports of publishing: its table (`adapters/store/publishing_repo.py`) and the part of a
connector that publishes (`adapters/connectors/mastodon_api.py`, `bluesky_api.py`).

Kept beside `services/ports.py` as the connections' ports are; services receive these and
`bootstrap.py` passes the adapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from socialpulse.domain.platforms import Network
from socialpulse.domain.publishing import Post, PostStatus, Published, Send, Variant


class Publisher(Protocol):
    """A connector that can publish. ``publish`` raises `ConnectorError` for a refusal (after
    the connector's own retries of 429 and 5xx answered before anything was made) and
    `OutcomeUnknown` when the request left and no answer came; ``find`` looks a send up on
    the network (None: it is not there)."""

    def publish(self, variant: Variant, idempotency_key: str, record_key: str
                ) -> Published: ...

    def find(self, variant: Variant, idempotency_key: str, record_key: str,
             since: datetime) -> Published | None: ...


class PublishingRepository(Protocol):
    """Posts, variants and sends in the app database (compare-and-set moves)."""

    def get(self, post_id: int) -> Post | None: ...

    def posts(self, workspace_id: int, statuses: Sequence[PostStatus] | None = None
              ) -> list[Post]: ...

    def create(self, workspace_id: int, author: str, campaign: str, goal: str, zone: str,
               variants: Sequence[Variant], *, now: datetime) -> Post: ...

    def edit(self, post_id: int, expected: Sequence[PostStatus], campaign: str, goal: str,
             variants: Sequence[Variant], *, now: datetime) -> bool: ...

    def move(self, post_id: int, expected: Sequence[PostStatus], target: PostStatus, *,
             now: datetime, comment: str | None = None) -> bool: ...

    def schedule(self, post_id: int, expected: Sequence[PostStatus], local: datetime,
                 zone: str, at: datetime, networks: Sequence[Network], *,
                 now: datetime) -> int | None: ...

    def claim_send(self, post_id: int, network: Network, generation: int, job_id: int,
                   previous: int | None, *, now: datetime) -> Send | None: ...

    def note_attempt(self, post_id: int, network: Network, job_id: int, *,
                     now: datetime) -> int | None: ...

    def finish_send(self, post_id: int, network: Network, job_id: int, status: PostStatus,
                    *, now: datetime, platform_id: str = "", url: str = "",
                    error: str = "") -> bool: ...
