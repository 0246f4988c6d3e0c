"""The new funnel (Godoy, Social Media de 3ª Generación): Dialogue -> Applause -> Amplification,
over time and per network.

Dialogue is measured by the conversation rate (comments / followers), applause by the applause
rate (likes / followers) and amplification by the amplification rate (shares / followers), all
from the metric catalogue (Hootsuite's definitions), for the own brand's accounts.

Each rate is a count over a period divided by the followers at its end, so it grows with the
period's length: 13 months of likes over one follower count read 561% on the demo. The whole
period's figure is therefore the **average of the per-period rates** (by week, month or quarter,
as chosen), which stays comparable whatever the length of the period. A single period's rate can
still pass 100%: more likes in a month than followers (followers who like several posts, and
people who are not followers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from socialpulse.domain.errors import MissingData
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import Breakdown, own_accounts
from socialpulse.services.metrics import MetricsService, network_label
from socialpulse.services.ports import WorkspaceRepository

#: The funnel's stages in order, each with the metric that measures it.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("dialogue", "Dialogue", "conversation_rate"),
    ("applause", "Applause", "applause_rate"),
    ("amplification", "Amplification", "amplification_rate"),
)


#: How the whole period's figure is computed, in words (pages, API, docs)
TOTALS_HOW = ("average of the {grain}ly rates (each: the {grain}'s comments, likes or shares "
              "divided by the followers at its end), so periods of any length compare")


def average_rates(rows: list[dict[str, Any]], metrics: list[str]) -> dict[str, dict[str, Any]]:
    """Per network label: the mean of each metric over the periods that have it, and how many."""
    out: dict[str, dict[str, Any]] = {}
    for label in dict.fromkeys(r["network_label"] for r in rows):
        mine = [r for r in rows if r["network_label"] == label]
        values: dict[str, Any] = {}
        for m in metrics:
            got = [float(r[m]) for r in mine if r.get(m) is not None]
            values[m] = sum(got) / len(got) if got else None
        values["periods"] = len(mine)
        out[label] = values
    return out


@dataclass
class Funnel:
    period: DateRange
    grain: Grain
    rows: list[dict[str, Any]]  # period, network, network_label, one column per metric
    # network label -> metric -> average of the per-period rates; "periods": how many
    totals: dict[str, dict[str, Any]]
    notes: list[str]

    @property
    def how(self) -> str:
        return TOTALS_HOW.format(grain=self.grain.value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "grain": self.grain.value,
            "stages": [{"id": s, "name": n, "metric": m} for s, n, m in STAGES],
            "rows": [{**r, "period": r["period"].isoformat()} for r in self.rows],
            "totals": self.totals,
            "totals_how": self.how,
            "notes": self.notes,
        }


class FunnelService:
    def __init__(self, metrics: MetricsService, store: WorkspaceRepository) -> None:
        self.metrics = metrics
        self.store = store

    def funnel(
        self, workspace: Workspace, period: DateRange, grain: Grain = Grain.MONTH
    ) -> Funnel:
        """The three rates per network and time bucket, plus per network the average of its
        buckets' rates for the whole period (see the module docstring for why an average)."""
        own = [a.id for a in own_accounts(self.store.accounts(workspace.id))]
        if not own:
            raise MissingData(f"workspace {workspace.slug!r} has no own accounts")
        metrics = [m for _, _, m in STAGES]
        series = self.metrics.compute(workspace, [(m, None) for m in metrics],
                                      Breakdown(("network",), grain), period, account_ids=own)
        rows = [{**r, "network_label": network_label(str(r["network"]))} for r in series.rows]
        return Funnel(period, grain, rows, average_rates(rows, metrics), list(series.notes))
