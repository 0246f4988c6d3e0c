"""Listening tables: a Boolean query per brand, users' sentiment corrections, spike alerts.

Mentions themselves live in the lake (dataset ``mentions``); here is what people edit
(queries, corrections) and what they act on (alerts, with an acknowledged flag).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import (
    Date,
    Float,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.domain.errors import NotFound
from socialpulse.domain.listening.records import Correction, StoredAlert

from . import Store
from .columns import id_pk, ref, timestamp, workspace_ref
from .tables import Base


class BrandQueryRow(Base):
    __tablename__ = "listening_queries"
    __table_args__ = (UniqueConstraint("brand_id"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    brand_id: Mapped[int] = ref("brands", nullable=False)
    query: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = timestamp()


class MentionCorrectionRow(Base):
    """A person's sentiment label for a mention: overrides the model, kept for retraining."""

    __tablename__ = "mention_corrections"
    __table_args__ = (UniqueConstraint("workspace_id", "mention_id"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    mention_id: Mapped[str] = mapped_column(String(300), nullable=False)
    sentiment: Mapped[str] = mapped_column(String(10), nullable=False)
    model_sentiment: Mapped[str | None] = mapped_column(String(10), nullable=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    lang: Mapped[str] = mapped_column(String(8), nullable=False, default="")
    corrected_at: Mapped[datetime] = timestamp()


class ListeningAlertRow(Base):
    __tablename__ = "listening_alerts"
    __table_args__ = (UniqueConstraint("workspace_id", "brand_id", "kind", "start"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    brand_id: Mapped[int] = ref("brands", nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    start: Mapped[date] = mapped_column(Date, nullable=False)
    end: Mapped[date] = mapped_column(Date, nullable=False)
    peak_day: Mapped[date] = mapped_column(Date, nullable=False)
    observed: Mapped[float] = mapped_column(Float, nullable=False)
    expected: Mapped[float] = mapped_column(Float, nullable=False)
    z: Mapped[float] = mapped_column(Float, nullable=False)
    volume: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    detected_at: Mapped[datetime] = timestamp()


def _now() -> datetime:
    return datetime.now(UTC)


def _alert(r: ListeningAlertRow) -> StoredAlert:
    return StoredAlert(r.id, r.brand_id, r.kind, r.start, r.end, r.peak_day, r.observed,
                       r.expected, r.z, r.volume, r.status, r.detected_at)


class ListeningRepo:
    """Listening state in the app database; every method is one short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # queries
    def set_query(self, workspace_id: int, brand_id: int, query: str) -> None:
        with self.store.session() as s:
            row = s.scalar(select(BrandQueryRow).where(BrandQueryRow.brand_id == brand_id))
            if row is None:
                s.add(BrandQueryRow(workspace_id=workspace_id, brand_id=brand_id, query=query,
                                    updated_at=_now()))
            else:
                row.query = query
                row.updated_at = _now()

    def queries(self, workspace_id: int) -> dict[int, str]:
        with self.store.session() as s:
            rows = s.scalars(select(BrandQueryRow)
                             .where(BrandQueryRow.workspace_id == workspace_id))
            return {r.brand_id: r.query for r in rows}

    # corrections
    def correct(self, workspace_id: int, mention_id: str, sentiment: str,
                model_sentiment: str | None, text: str, lang: str) -> Correction:
        with self.store.session() as s:
            row = s.scalar(select(MentionCorrectionRow).where(
                MentionCorrectionRow.workspace_id == workspace_id,
                MentionCorrectionRow.mention_id == mention_id))
            if row is None:
                row = MentionCorrectionRow(workspace_id=workspace_id, mention_id=mention_id,
                                           model_sentiment=model_sentiment, text=text,
                                           lang=lang, sentiment=sentiment,
                                           corrected_at=_now())
                s.add(row)
            else:  # keep the model's original label; the newest human label wins
                row.sentiment = sentiment
                row.corrected_at = _now()
            s.flush()
            return Correction(row.mention_id, row.sentiment, row.model_sentiment, row.text,
                              row.lang, row.corrected_at)

    def corrections(self, workspace_id: int,
                    mention_ids: Sequence[str] | None = None) -> dict[str, Correction]:
        with self.store.session() as s:
            q = select(MentionCorrectionRow).where(
                MentionCorrectionRow.workspace_id == workspace_id)
            if mention_ids is not None:
                ids = list(set(mention_ids))
                out: dict[str, Correction] = {}
                for i in range(0, len(ids), 500):
                    chunk = ids[i:i + 500]
                    for r in s.scalars(q.where(MentionCorrectionRow.mention_id.in_(chunk))):
                        out[r.mention_id] = Correction(r.mention_id, r.sentiment,
                                                       r.model_sentiment, r.text, r.lang,
                                                       r.corrected_at)
                return out
            return {r.mention_id: Correction(r.mention_id, r.sentiment, r.model_sentiment,
                                             r.text, r.lang, r.corrected_at)
                    for r in s.scalars(q)}

    # alerts
    def save_alerts(self, workspace_id: int, alerts: Sequence[StoredAlert],
                    window: tuple[date, date] | None = None) -> list[StoredAlert]:
        """Insert new alerts and refresh known ones (same brand, kind and start), keeping their
        status, so acknowledging an alert survives re-detection. Open alerts inside ``window``
        that detection no longer finds (new data, other settings) are removed; acknowledged
        ones stay, as a record of what people acted on."""
        out = []
        keep = {(a.brand_id, a.kind, a.start) for a in alerts}
        with self.store.session() as s:
            if window is not None:
                stale = s.scalars(select(ListeningAlertRow).where(
                    ListeningAlertRow.workspace_id == workspace_id,
                    ListeningAlertRow.status == "open",
                    ListeningAlertRow.start >= window[0],
                    ListeningAlertRow.start <= window[1]))
                for old in stale:
                    if (old.brand_id, old.kind, old.start) not in keep:
                        s.delete(old)
                s.flush()
            for a in alerts:
                row = s.scalar(select(ListeningAlertRow).where(
                    ListeningAlertRow.workspace_id == workspace_id,
                    ListeningAlertRow.brand_id == a.brand_id,
                    ListeningAlertRow.kind == a.kind,
                    ListeningAlertRow.start == a.start))
                if row is None:
                    row = ListeningAlertRow(workspace_id=workspace_id, brand_id=a.brand_id,
                                            kind=a.kind, start=a.start, status="open",
                                            detected_at=_now(), end=a.end, peak_day=a.peak_day,
                                            observed=a.observed, expected=a.expected, z=a.z,
                                            volume=a.volume)
                    s.add(row)
                else:
                    row.end, row.peak_day, row.observed = a.end, a.peak_day, a.observed
                    row.expected, row.z, row.volume = a.expected, a.z, a.volume
                s.flush()
                out.append(_alert(row))
        return out

    def alerts(self, workspace_id: int) -> list[StoredAlert]:
        with self.store.session() as s:
            rows = s.scalars(select(ListeningAlertRow)
                             .where(ListeningAlertRow.workspace_id == workspace_id)
                             .order_by(ListeningAlertRow.start.desc(), ListeningAlertRow.id))
            return [_alert(r) for r in rows]

    def set_alert_status(self, workspace_id: int, alert_id: int, status: str) -> StoredAlert:
        with self.store.session() as s:
            row = s.get(ListeningAlertRow, alert_id)
            if row is None or row.workspace_id != workspace_id:
                raise NotFound(f"alert {alert_id} not found")
            row.status = status
            s.flush()
            return _alert(row)
