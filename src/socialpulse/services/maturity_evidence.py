"""Evidence for the maturity assessment: facts from the last 90 days of the workspace's own
accounts, measured through the metric service (never re-implementing a formula), that the pure
rules (`domain.maturity.check_evidence`) set beside the answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from socialpulse.domain import maturity as mat
from socialpulse.domain.errors import MissingData
from socialpulse.domain.formatting import format_value
from socialpulse.domain.models import Account, Function, Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import Breakdown, own_accounts
from socialpulse.services.metrics import MetricsService, MetricTable

#: Evidence looks at the last 90 days with data.
EVIDENCE_DAYS = 90


def evidence_period(metrics: MetricsService, workspace: Workspace) -> DateRange | None:
    """The last `EVIDENCE_DAYS` days with data (fewer when the data is shorter), or None."""
    rng = metrics.data_range(workspace)
    if rng is None:
        return None
    return DateRange(max(rng.start, rng.end - timedelta(days=EVIDENCE_DAYS - 1)), rng.end)


class _Facts:
    """The facts gathered so far, each shown in its source's unit."""

    def __init__(self, span: str) -> None:
        self.span = span
        self.out: dict[str, mat.Evidence] = {}

    def put(self, source: str, value: float | None, detail: str = "") -> None:
        unit = mat.EVIDENCE_SOURCES[source][1]
        self.out[source] = mat.Evidence(source, value, format_value(value, unit),
                                        detail or f"own accounts, {self.span}")


class EvidenceGatherer:
    """Measures the evidence sources of `mat.EVIDENCE_SOURCES` for one workspace."""

    def __init__(self, metrics: MetricsService) -> None:
        self.metrics = metrics

    def _compute(self, workspace: Workspace, metrics: Sequence[tuple[str, str | None]],
                 breakdown: Breakdown, period: DateRange, ids: list[int]) -> MetricTable | None:
        try:
            return self.metrics.compute(workspace, metrics, breakdown, period, account_ids=ids)
        except MissingData:
            return None

    def gather(self, workspace: Workspace, accounts: Sequence[Account]) -> dict[str, mat.Evidence]:
        """Facts from the last 90 days of the workspace's own ``accounts``; {} without data."""
        try:
            period = evidence_period(self.metrics, workspace)
        except MissingData:
            period = None
        if period is None:
            return {}
        own = own_accounts(accounts)
        ids = [a.id for a in own]
        if not ids:
            return {}
        facts = _Facts(f"{period.label()}")
        totals = self._compute(
            workspace, [("response_rate", None), ("conversation_rate", "per_post"),
                        ("social_conversion_rate", None)], Breakdown(), period, ids)
        row = totals.rows[0] if totals and totals.rows else {}
        facts.put("response_rate", row.get("response_rate"))
        facts.put("comments_per_post", row.get("conversation_rate:per_post"))
        facts.put("social_conversion_rate", row.get("social_conversion_rate"))
        self._per_account(facts, workspace, own, period, ids)
        self._mentions(facts, workspace, period)
        return facts.out

    def _per_account(self, facts: _Facts, workspace: Workspace, own: Sequence[Account],
                     period: DateRange, ids: list[int]) -> None:
        """Which functions and HR accounts posted, and which accounts track web or paid data."""
        per_acc = self._compute(
            workspace, [("posts", None), ("bounce_rate", None), ("cost_per_click", None)],
            Breakdown(entities=("account",)), period, ids)
        rows: dict[int, dict[str, Any]] = {
            int(r["account_id"]): r for r in (per_acc.rows if per_acc else [])
            if r.get("account_id") is not None}
        span = facts.span
        posting = [a for a in own if (rows.get(a.id, {}).get("posts") or 0) > 0]
        functions = sorted({a.function.value for a in posting})
        facts.put("functions_posting", float(len(functions)),
                  f"{', '.join(functions) or 'none'} ({span})")
        hr = [a for a in posting if a.function is Function.HR]
        facts.put("hr_accounts_posting", float(len(hr)),
                  f"{', '.join(a.label for a in hr) or 'none'} ({span})")
        web = [a for a in own if rows.get(a.id, {}).get("bounce_rate") is not None]
        facts.put("web_analytics", float(len(web)), f"{', '.join(a.label for a in web) or 'none'}")
        paid = [a for a in own if rows.get(a.id, {}).get("cost_per_click") is not None]
        facts.put("paid_social", float(len(paid)),
                  f"{', '.join(a.label for a in paid) or 'none'}")

    def _mentions(self, facts: _Facts, workspace: Workspace, period: DateRange) -> None:
        """Brand mentions held by listening; none held at all is the fact 0, said as such."""
        mentions = self._compute(workspace, [("brand_mentions", None)], Breakdown(), period, [])
        value = None
        if mentions is not None and mentions.rows:
            value = mentions.rows[0].get("brand_mentions")
        if value is None:
            # no mentions held at all: listening is not set up in socialpulse (0 is the fact)
            facts.put("brand_mentions", 0.0, f"no listening data in socialpulse ({facts.span})")
        else:
            facts.put("brand_mentions", value)
