"""The ports of live listening and alert delivery (implemented in `adapters/`, wired in
`bootstrap.py`).

They live beside their services rather than in `services/ports.py`, which several features
edit at once and which is close to the 500-line limit; the rule is the same: a service names
these Protocols, never an adapter.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.listening.rules import AlertRule, RuleSpec
from socialpulse.domain.listening.rules_records import AlertEvent, LiveRead, LiveSource


class LiveTables(Protocol):
    """Sources, rules and fired alerts in the app database
    (`adapters/store/alert_rules_tables.LiveListeningRepo`)."""

    def add_source(self, workspace_id: int, network: str, kind: str, query: str,
                   instance_url: str, interval_s: int, now: datetime) -> LiveSource: ...

    def sources(self, workspace_id: int | None = None) -> list[LiveSource]: ...

    def source(self, source_id: int) -> LiveSource | None: ...

    def remove_source(self, workspace_id: int, source_id: int) -> LiveSource: ...

    def save_cursor(self, source_id: int, cursor: str | None, added: int, now: datetime,
                    error: str | None = None) -> None: ...

    def add_rule(self, workspace_id: int, brand_id: int, spec: RuleSpec, now: datetime
                 ) -> AlertRule: ...

    def rules(self, workspace_id: int) -> list[AlertRule]: ...

    def remove_rule(self, workspace_id: int, rule_id: int) -> AlertRule: ...

    def record_firing(self, rule_id: int, bucket: str, title: str, details: dict[str, Any],
                      now: datetime) -> AlertEvent | None: ...

    def event(self, event_id: int) -> AlertEvent | None: ...

    def event_by_token(self, token: str) -> AlertEvent | None: ...

    def events(self, workspace_id: int, limit: int = 50) -> list[AlertEvent]: ...

    def acknowledge(self, event_id: int, now: datetime) -> AlertEvent: ...


class FirehoseEvent(Protocol):
    """One firehose event (``time_us`` set, ``mention`` when it is a new post) or a tick."""

    @property
    def mention(self) -> RawMention | None: ...
    @property
    def time_us(self) -> int | None: ...
    @property
    def skipped(self) -> bool: ...


class LiveSourceAccess(Protocol):
    """Reads live sources (`adapters/listening_sources.LiveSources`)."""

    def check(self, network: str, kind: str, instance_url: str) -> str: ...

    def poll(self, source: LiveSource) -> LiveRead: ...

    def firehose(self, source: LiveSource, stop: threading.Event, tick_s: float = 0.25
                 ) -> Iterator[FirehoseEvent]: ...


class MailSender(Protocol):
    """Sends one e-mail (`adapters/mail.Mailer`); raises a `SocialPulseError` naming the
    server when it cannot."""

    def send(self, to: Sequence[str], subject: str, text: str,
             html: str | None = None) -> None: ...


class WebhookSender(Protocol):
    """Posts ``{"text": ...}`` to a chat webhook (`adapters/webhook.WebhookPoster`)."""

    def post(self, url: str, text: str) -> None: ...
