"""Live listening tables: sources (with their resume cursors), alert rules, fired alerts.

Every method is one short transaction. A source's cursor is written by `save_cursor` only
after the mentions it covers are committed to the lake, so a restart resumes where the stored
data ends (at worst re-reading a few mentions, which the lake's natural key absorbs).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.domain.errors import Conflict, NotFound
from socialpulse.domain.listening.rules import AlertRule, RuleSpec, parse_clock
from socialpulse.domain.listening.rules_records import AlertEvent, LiveSource

from . import Store
from .columns import id_pk, ref, timestamp, workspace_ref
from .tables import Base


class LiveSourceRow(Base):
    __tablename__ = "listening_sources"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "kind", "query",
                                       "instance_url"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    network: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    query: Mapped[str] = mapped_column(String(500), nullable=False)
    instance_url: Mapped[str] = mapped_column(String(500), nullable=False)
    interval_s: Mapped[int] = mapped_column(Integer, nullable=False)
    cursor: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    mentions: Mapped[int] = mapped_column(Integer, nullable=False)
    last_polled_at: Mapped[datetime | None] = timestamp(nullable=True)
    created_at: Mapped[datetime] = timestamp()


class AlertRuleRow(Base):
    __tablename__ = "alert_rules"
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    brand_id: Mapped[int] = ref("brands", nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    threshold: Mapped[float] = mapped_column(Float, nullable=False)
    min_volume: Mapped[int] = mapped_column(Integer, nullable=False)
    window_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    keyword: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cooldown_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    quiet_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    quiet_end: Mapped[str | None] = mapped_column(String(5), nullable=True)
    emails: Mapped[str] = mapped_column(Text, nullable=False)
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = timestamp()
    last_fired_at: Mapped[datetime | None] = timestamp(nullable=True)


class AlertEventRow(Base):
    __tablename__ = "alert_events"
    __table_args__ = (UniqueConstraint("rule_id", "bucket"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"),
                                         nullable=False)
    bucket: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    fired_at: Mapped[datetime] = timestamp()
    acknowledged_at: Mapped[datetime | None] = timestamp(nullable=True)


def _aware(dt: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    if dt is None:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _source(r: LiveSourceRow) -> LiveSource:
    return LiveSource(r.id, r.workspace_id, r.network, r.kind, r.query, r.instance_url,
                      r.interval_s, r.cursor, r.last_error, r.mentions,
                      _aware(r.last_polled_at), _aware(r.created_at) or r.created_at)


def _clock_text(value: Any) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _rule(r: AlertRuleRow) -> AlertRule:
    spec = RuleSpec(r.kind, r.threshold, r.min_volume, r.window_minutes, r.keyword,
                    r.cooldown_minutes, parse_clock(r.quiet_start, "quiet_start"),
                    parse_clock(r.quiet_end, "quiet_end"),
                    tuple(e for e in r.emails.split(",") if e), r.webhook_url)
    return AlertRule(r.id, r.workspace_id, r.brand_id, spec,
                     _aware(r.created_at) or r.created_at, _aware(r.last_fired_at))


def _event(r: AlertEventRow) -> AlertEvent:
    return AlertEvent(r.id, r.workspace_id, r.rule_id, r.bucket, r.title, dict(r.details),
                      r.token, r.status, _aware(r.fired_at) or r.fired_at,
                      _aware(r.acknowledged_at))


class LiveListeningRepo:
    """Sources, rules and fired alerts in the app database (`LiveTables` port)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- sources -------------------------------------------------------------------------------

    def add_source(self, workspace_id: int, network: str, kind: str, query: str,
                   instance_url: str, interval_s: int, now: datetime) -> LiveSource:
        try:
            with self.store.session() as s:
                row = LiveSourceRow(workspace_id=workspace_id, network=network, kind=kind,
                                    query=query, instance_url=instance_url,
                                    interval_s=interval_s, mentions=0, created_at=now)
                s.add(row)
                s.flush()
                return _source(row)
        except IntegrityError:
            raise Conflict(f"source {network} {kind} {query!r} on {instance_url} is already "
                           "listened to in this workspace") from None

    def sources(self, workspace_id: int | None = None) -> list[LiveSource]:
        with self.store.session() as s:
            q = select(LiveSourceRow).order_by(LiveSourceRow.id)
            if workspace_id is not None:
                q = q.where(LiveSourceRow.workspace_id == workspace_id)
            return [_source(r) for r in s.scalars(q)]

    def source(self, source_id: int) -> LiveSource | None:
        with self.store.session() as s:
            row = s.get(LiveSourceRow, source_id)
            return _source(row) if row is not None else None

    def remove_source(self, workspace_id: int, source_id: int) -> LiveSource:
        with self.store.session() as s:
            row = s.get(LiveSourceRow, source_id)
            if row is None or row.workspace_id != workspace_id:
                raise NotFound(f"listening source {source_id} not found in this workspace")
            out = _source(row)
            s.delete(row)
            return out

    def save_cursor(self, source_id: int, cursor: str | None, added: int, now: datetime,
                    error: str | None = None) -> None:
        """After a read: the new cursor (None keeps the old), mentions stored, any error."""
        with self.store.session() as s:
            row = s.get(LiveSourceRow, source_id)
            if row is None:  # removed meanwhile: nothing to resume
                return
            if cursor is not None:
                row.cursor = cursor
            row.mentions += added
            row.last_polled_at = now
            row.last_error = error

    # -- rules ---------------------------------------------------------------------------------

    def add_rule(self, workspace_id: int, brand_id: int, spec: RuleSpec, now: datetime
                 ) -> AlertRule:
        with self.store.session() as s:
            row = AlertRuleRow(
                workspace_id=workspace_id, brand_id=brand_id, kind=spec.kind,
                threshold=spec.threshold, min_volume=spec.min_volume,
                window_minutes=spec.window_minutes, keyword=spec.keyword,
                cooldown_minutes=spec.cooldown_minutes,
                quiet_start=_clock_text(spec.quiet_start), quiet_end=_clock_text(spec.quiet_end),
                emails=",".join(spec.emails), webhook_url=spec.webhook_url, created_at=now)
            s.add(row)
            s.flush()
            return _rule(row)

    def rules(self, workspace_id: int) -> list[AlertRule]:
        with self.store.session() as s:
            return [_rule(r) for r in s.scalars(select(AlertRuleRow).where(
                AlertRuleRow.workspace_id == workspace_id).order_by(AlertRuleRow.id))]

    def remove_rule(self, workspace_id: int, rule_id: int) -> AlertRule:
        with self.store.session() as s:
            row = s.get(AlertRuleRow, rule_id)
            if row is None or row.workspace_id != workspace_id:
                raise NotFound(f"alert rule {rule_id} not found in this workspace")
            out = _rule(row)
            for ev in s.scalars(select(AlertEventRow).where(AlertEventRow.rule_id == rule_id)):
                s.delete(ev)
            s.delete(row)
            return out

    # -- fired alerts --------------------------------------------------------------------------

    def record_firing(self, rule_id: int, bucket: str, title: str, details: dict[str, Any],
                      now: datetime) -> AlertEvent | None:
        """Store a firing and mark the rule fired, in one transaction; None when the rule
        already fired in this bucket (a re-run of the same evaluation) or is gone."""
        try:
            with self.store.session() as s:
                rule = s.get(AlertRuleRow, rule_id)
                if rule is None:
                    return None
                if s.scalar(select(AlertEventRow.id).where(
                        AlertEventRow.rule_id == rule_id, AlertEventRow.bucket == bucket)):
                    return None
                row = AlertEventRow(workspace_id=rule.workspace_id, rule_id=rule_id,
                                    bucket=bucket, title=title, details=details,
                                    token=secrets.token_urlsafe(24), status="open",
                                    fired_at=now)
                s.add(row)
                rule.last_fired_at = now
                s.flush()
                return _event(row)
        except IntegrityError:  # another worker recorded the same firing first
            return None

    def event(self, event_id: int) -> AlertEvent | None:
        with self.store.session() as s:
            row = s.get(AlertEventRow, event_id)
            return _event(row) if row is not None else None

    def event_by_token(self, token: str) -> AlertEvent | None:
        with self.store.session() as s:
            row = s.scalar(select(AlertEventRow).where(AlertEventRow.token == token))
            return _event(row) if row is not None else None

    def events(self, workspace_id: int, limit: int = 50) -> list[AlertEvent]:
        with self.store.session() as s:
            return [_event(r) for r in s.scalars(
                select(AlertEventRow).where(AlertEventRow.workspace_id == workspace_id)
                .order_by(AlertEventRow.fired_at.desc(), AlertEventRow.id.desc())
                .limit(limit))]

    def acknowledge(self, event_id: int, now: datetime) -> AlertEvent:
        with self.store.session() as s:
            row = s.get(AlertEventRow, event_id)
            if row is None:
                raise NotFound(f"alert {event_id} not found")
            if row.status != "acknowledged":
                row.status = "acknowledged"
                row.acknowledged_at = now
            s.flush()
            return _event(row)
