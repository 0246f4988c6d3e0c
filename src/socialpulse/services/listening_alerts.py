"""Listening, part 4: spike alerts. Volume and negative-share spikes per brand and day
(`domain/listening/spikes.py`), stored so people can acknowledge them, each shown with the
mentions that caused it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.listening.query import tokenize_text
from socialpulse.domain.listening.records import StoredAlert
from socialpulse.domain.listening.rules import WindowMention, explain
from socialpulse.domain.listening.selection import MentionSelection
from socialpulse.domain.listening.spikes import DayCount, detect_spikes
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.listening_analysis import MentionAnalysis

ALERT_KINDS = ("volume", "negative_share")


def _alert_mention(r: dict[str, Any]) -> AlertMention:
    return AlertMention(**{**r, "url": r["url"] or "", "author": r["author"] or ""})


@dataclass(frozen=True)
class AlertMention:
    mention_id: str
    published_at: datetime
    author: str
    author_followers: int | None
    network: str
    lang: str
    sentiment: str
    text: str
    url: str


@dataclass(frozen=True)
class Alert:
    id: int
    brand: str
    brand_id: int
    is_own: bool
    kind: str
    start: date
    end: date
    peak_day: date
    observed: float
    expected: float
    z: float
    volume: int
    status: str
    mentions: list[AlertMention]
    #: what drives it: the spike's most frequent terms and its most active authors
    #: (`domain/listening/rules.explain`); the mentions above are its posts with most reach
    drivers: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        if self.kind == "volume":
            return (f"{self.brand}: mention volume spike, {self.observed:.0f} mentions on "
                    f"{self.peak_day.isoformat()} (expected {self.expected:.0f})")
        return (f"{self.brand}: negative share spike, {self.observed:.0%} negative on "
                f"{self.peak_day.isoformat()} (usual {self.expected:.0%})")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["title"] = self.title
        return d


class SpikeAlerts(MentionAnalysis):
    """Detecting (a write: alerts are stored), listing and acknowledging alerts."""

    def detect_alerts(self, actor: Actor, ws: Workspace, period: DateRange | None = None,
                      min_volume: int = 20, threshold: float = 3.5,
                      weeks: int = 4) -> list[Alert]:
        """Detect volume and negative-share spikes per brand and store them (idempotent)."""
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        rng = self.data_range(ws)
        if rng is None:
            return []
        period = period or rng
        # history before the period feeds the baseline
        hist_start = max(rng.start, period.start - timedelta(days=7 * weeks + 7))
        rows = self.queries.day_counts(MentionSelection(ws.id, DateRange(hist_start,
                                                                         period.end)))
        by_brand: dict[int, dict[date, tuple[int, int]]] = {}
        for r in rows:
            by_brand.setdefault(r["brand_id"], {})[r["local_date"]] = (r["volume"], r["negative"])
        found: list[StoredAlert] = []
        n = (period.end - hist_start).days + 1
        for brand_id, days in by_brand.items():
            series = []
            for i in range(n):
                d = hist_start + timedelta(days=i)
                v, neg = days.get(d, (0, 0))
                series.append(DayCount(d, v, neg))
            for s in detect_spikes(series, weeks=weeks, threshold=threshold,
                                   min_volume=min_volume):
                if s.end < period.start:
                    continue
                found.append(StoredAlert(0, brand_id, s.kind, s.start, s.end, s.peak_day,
                                         s.observed, s.expected, s.z, s.volume, "open",
                                         datetime.now().astimezone()))
        self.repo.save_alerts(ws.id, found, (period.start, period.end))
        return self.alerts(ws, period)

    def alerts(self, ws: Workspace, period: DateRange | None = None,
               brand: str | None = None, mentions_per_alert: int = 10,
               with_drivers: bool = True) -> list[Alert]:
        """Stored alerts, newest first, each with the mentions that caused it (by reach) and
        what drives it (top terms and authors; one more query per alert)."""
        brands = {b.id: b for b in self.store.brands(ws.id)}
        only = self.brand_id(ws, brand)
        stored = [a for a in self.repo.alerts(ws.id)
                  if (only is None or a.brand_id == only)
                  and (period is None or not (a.end < period.start or a.start > period.end))]
        # the mentions that caused them: what each alert counted (negative ones for a
        # negative-share spike), in one query
        sels = [MentionSelection(ws.id, DateRange(a.start, a.end), a.brand_id,
                                 "negative" if a.kind == "negative_share" else None)
                for a in stored]
        mentions = self.queries.alert_mentions(sels, int(mentions_per_alert))
        out = []
        for a, sel, rows in zip(stored, sels, mentions, strict=True):
            b = brands.get(a.brand_id)
            out.append(Alert(a.id, b.name if b else str(a.brand_id), a.brand_id,
                             bool(b and b.is_own), a.kind, a.start, a.end, a.peak_day,
                             a.observed, a.expected, a.z, a.volume, a.status,
                             [_alert_mention(r) for r in rows],
                             self._drivers(ws, sel, rows) if with_drivers else {}))
        return out

    def _drivers(self, ws: Workspace, sel: MentionSelection, rows: list[dict[str, Any]]
                 ) -> dict[str, Any]:
        """Top terms over every mention the spike counted, top authors among them by reach."""
        names = [tokenize_text(bq.brand.name) for bq in self.brands(ws)]
        words = frozenset([w for n in names for w in n] + ["".join(n) for n in names])
        texts = [WindowMention(r["mention_id"], datetime.combine(r["local_date"], time()), "",
                               None, r["text"] or "",
                               r["sentiment"] or "", "", "") for r in self.queries.texts(sel)]
        ex = explain(texts, words)
        by_reach = explain([WindowMention(r["mention_id"], r["published_at"], r["author"] or "",
                                          r["author_followers"], r["text"] or "", "", "", "")
                            for r in rows], words)
        return {"terms": [{"term": t, "mentions": n} for t, n in ex.terms],
                "authors": [{"author": a, "mentions": n, "followers": f}
                            for a, n, f in by_reach.authors]}

    def acknowledge(self, actor: Actor, ws: Workspace, alert_id: int) -> None:
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        self.repo.set_alert_status(ws.id, alert_id, "acknowledged")

    def latest_alert(self, ws: Workspace) -> Alert | None:
        alerts = self.alerts(ws, mentions_per_alert=3, with_drivers=False)
        own = [a for a in alerts if a.is_own and a.status == "open"]
        pick = own or alerts
        return pick[0] if pick else None
