"""Seed 003's new funnel: Dialogue -> Applause -> Amplification, over time and per network.

Dialogue is measured by the conversation rate (comments / followers), applause by the applause
rate (likes / followers) and amplification by the amplification rate (shares / followers), all
from the metric catalogue (Hootsuite's definitions, seed 004), for the own brand's accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from socialpulse.adapters.store import Store
from socialpulse.domain.errors import MissingData
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import Breakdown
from socialpulse.services.metrics import MetricsService, network_label

#: The funnel's stages in order, each with the metric that measures it.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("dialogue", "Dialogue", "conversation_rate"),
    ("applause", "Applause", "applause_rate"),
    ("amplification", "Amplification", "amplification_rate"),
)


@dataclass
class Funnel:
    period: DateRange
    grain: Grain
    rows: list[dict[str, Any]]  # period, network, network_label, one column per metric
    totals: dict[str, dict[str, float | None]]  # network label -> metric -> value (whole period)
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "grain": self.grain.value,
            "stages": [{"id": s, "name": n, "metric": m} for s, n, m in STAGES],
            "rows": [{**r, "period": r["period"].isoformat()} for r in self.rows],
            "totals": self.totals,
            "notes": self.notes,
        }


class FunnelService:
    def __init__(self, metrics: MetricsService, store: Store) -> None:
        self.metrics = metrics
        self.store = store

    def funnel(
        self, workspace: Workspace, period: DateRange, grain: Grain = Grain.MONTH
    ) -> Funnel:
        """The three rates per network and time bucket, plus the whole period per network."""
        own = [a.id for a in self.store.accounts(workspace.id) if a.is_own]
        if not own:
            raise MissingData(f"workspace {workspace.slug!r} has no own accounts")
        reqs = [(m, None) for _, _, m in STAGES]
        series = self.metrics.compute(workspace, reqs, Breakdown(("network",), grain), period,
                                      account_ids=own)
        whole = self.metrics.compute(workspace, reqs, Breakdown(("network",)), period,
                                     account_ids=own)
        rows = [{**r, "network_label": network_label(str(r["network"]))} for r in series.rows]
        totals = {
            network_label(str(r["network"])): {m: r.get(m) for _, _, m in STAGES}
            for r in whole.rows
        }
        return Funnel(period, grain, rows, totals, list(series.notes))
