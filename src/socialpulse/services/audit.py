"""The social media audit (seed 004, step 1): every own account in one place, with a baseline.

Metric values (posts, followers, audience growth, engagement rate, response rate...) come only
from :class:`MetricsService`. Two details the metric catalogue does not hold are read here from
the lake with one small DuckDB query, because they are groupings the catalogue cannot express
(its breakdowns are account, network and time only):

- *best content types*: engagements per post grouped by the post's ``post_type``;
- *best posting times*: engagements per post grouped by the hour of ``published_at`` in the
  workspace's time zone;
plus the date of each account's last post (for the "no post in 90 days" flag) and the counts of
audience messages received and replied (the catalogue has the response *rate*; the flag says
how many questions were left without a reply).

Each run is stored with its baselines (metric, variant, period, value, how computed) so goals
can start from them: see :meth:`AuditService.baselines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from socialpulse.adapters.lake import Lake
from socialpulse.adapters.store import Store
from socialpulse.adapters.store.maturity_tables import AuditRun, Baseline, MaturityRepo
from socialpulse.domain import audit as rules
from socialpulse.domain.errors import MissingData
from socialpulse.domain.models import Account, Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import Breakdown, own_accounts
from socialpulse.services.metrics import MetricsService, MetricTable

#: Default audit period: the last 90 days with data.
DEFAULT_DAYS = 90

#: Metrics measured per account and for the workspace, and saved as baselines.
BASELINE_METRICS: tuple[str, ...] = (
    "posts", "followers", "audience_growth_rate", "engagement_rate", "amplification_rate",
    "applause_rate", "conversation_rate", "response_rate", "first_response_time",
)


@dataclass
class AuditReport:
    workspace: str
    period: DateRange
    accounts: list[dict[str, Any]]
    medians: dict[str, float | None]
    workspace_figures: dict[str, float | None]
    notes: list[str] = field(default_factory=list)
    run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "run_id": self.run_id,
            "medians": self.medians,
            "workspace_figures": self.workspace_figures,
            "accounts": self.accounts,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class LakeDetails:
    """What the audit reads from the lake directly (see the module docstring for why)."""

    content_types: dict[int, list[tuple[str, float, int]]]
    hours: dict[int, list[tuple[int, float, int]]]
    last_post: dict[int, date]
    messages: dict[int, tuple[float, float]]


def read_lake_details(
    lake_files: Sequence[Path], snap_files: Sequence[Path], daily_files: Sequence[Path],
    period: DateRange, tz: str,
) -> LakeDetails:
    """Best content types and hours, last post dates and message counts, from Parquet files.

    Posts take their latest version (by batch); each post counts with its latest snapshot
    observed before the end of the period; daily rows take the latest observation per day -
    the same read rules as the metric engine.
    """
    con = duckdb.connect()
    end_ts = datetime.combine(period.end_exclusive, time(), ZoneInfo(tz)).astimezone(UTC)
    content: dict[int, list[tuple[str, float, int]]] = {}
    hours: dict[int, list[tuple[int, float, int]]] = {}
    last_post: dict[int, date] = {}
    messages: dict[int, tuple[float, float]] = {}
    try:
        if lake_files:
            posts = [str(p) for p in lake_files]
            con.read_parquet(posts).create_view("p_raw")
            con.execute(
                "CREATE TEMP VIEW p AS SELECT * FROM p_raw QUALIFY row_number() OVER "
                "(PARTITION BY account_id, post_id ORDER BY batch_id DESC) = 1")
            for acc, last in con.execute(
                "SELECT account_id, max(local_date) FROM p WHERE local_date <= ? GROUP BY 1",
                [period.end],
            ).fetchall():
                last_post[int(acc)] = last
            if snap_files:
                con.read_parquet([str(p) for p in snap_files]).create_view("s_raw")
                con.execute(
                    "CREATE TEMP TABLE s AS SELECT account_id, post_id, engagements FROM s_raw "
                    "WHERE observed_at < $1 QUALIFY row_number() OVER (PARTITION BY "
                    "account_id, post_id ORDER BY observed_at DESC, batch_id DESC) = 1",
                    [end_ts])
                eng = "s.engagements"
                join = "LEFT JOIN s USING (account_id, post_id)"
            else:
                eng, join = "NULL::BIGINT", ""
            rows = con.execute(
                f"SELECT p.account_id, p.post_type, epoch(p.published_at), {eng} FROM p {join} "
                "WHERE p.local_date BETWEEN ? AND ?", [period.start, period.end]
            ).fetchall()
            zone = ZoneInfo(tz)
            by_type: dict[tuple[int, str], list[float]] = {}
            by_hour: dict[tuple[int, int], list[float]] = {}
            for acc, ptype, published, engagements in rows:
                if engagements is None:
                    continue
                by_type.setdefault((int(acc), ptype or "unknown"), []).append(float(engagements))
                hour = datetime.fromtimestamp(float(published), zone).hour
                by_hour.setdefault((int(acc), hour), []).append(float(engagements))
            for (acc, ptype), vals in sorted(by_type.items()):
                content.setdefault(acc, []).append((ptype, sum(vals) / len(vals), len(vals)))
            for (acc, hour), vals in sorted(by_hour.items()):
                hours.setdefault(acc, []).append((hour, sum(vals) / len(vals), len(vals)))
        if daily_files:
            for acc, received, replied in con.execute(
                "SELECT account_id, sum(messages_received), sum(messages_replied) FROM ("
                "SELECT * FROM read_parquet($1) QUALIFY row_number() OVER (PARTITION BY "
                "account_id, date ORDER BY observed_at DESC, batch_id DESC) = 1) "
                "WHERE date BETWEEN $2 AND $3 AND messages_received IS NOT NULL GROUP BY 1",
                [[str(p) for p in daily_files], period.start, period.end],
            ).fetchall():
                messages[int(acc)] = (float(received or 0), float(replied or 0))
    finally:
        con.close()
    return LakeDetails(content, hours, last_post, messages)


class AuditService:
    def __init__(
        self, metrics: MetricsService, store: Store, lake: Lake, repo: MaturityRepo
    ) -> None:
        self.metrics = metrics
        self.store = store
        self.lake = lake
        self.repo = repo

    def default_period(self, workspace: Workspace) -> DateRange:
        rng = self.metrics.data_range(workspace)
        if rng is None:
            raise MissingData(
                f"workspace {workspace.slug!r} has no posts yet; import exports first "
                "(`socialpulse import`) or load the demo (`socialpulse demo --no-serve`)"
            )
        start = max(rng.start, rng.end - timedelta(days=DEFAULT_DAYS - 1))
        return DateRange(start, rng.end)

    def own_accounts(self, workspace: Workspace) -> list[Account]:
        own = own_accounts(self.store.accounts(workspace.id))
        if not own:
            raise MissingData(f"workspace {workspace.slug!r} has no own accounts to audit")
        return own

    def run(
        self, workspace: Workspace, period: DateRange | None = None, save: bool = True
    ) -> AuditReport:
        """Audit every own account over the period (default: the last 90 days with data)."""
        period = period or self.default_period(workspace)
        own = self.own_accounts(workspace)
        own_ids = {a.id for a in own}
        requests = [(m, None) for m in BASELINE_METRICS]
        ids = sorted(own_ids)
        per_account = self._compute(workspace, requests, Breakdown(entities=("account",)),
                                    period, ids)
        by_acc = {
            int(r["account_id"]): r for r in per_account.rows if r.get("account_id") in own_ids
        } if per_account else {}
        # the workspace as a whole: own accounts only (competitors are watched, not audited)
        total_table = self._compute(workspace, requests, Breakdown(), period, ids)
        totals: dict[str, float | None] = {m: None for m in BASELINE_METRICS}
        if total_table and total_table.rows:
            totals = {m: total_table.rows[0].get(m) for m in BASELINE_METRICS}
        notes = list(per_account.notes) if per_account else []
        if len(own) < len(self.store.accounts(workspace.id)):
            notes.append("competitor accounts are watched, not audited")
        details = read_lake_details(
            self.lake.files(workspace.id, "posts"), self.lake.files(workspace.id, "post_snapshots"),
            self.lake.files(workspace.id, "account_daily"), period, workspace.timezone,
        )
        weeks = period.days / 7
        figures = []
        for a in own:
            r = by_acc.get(a.id, {})
            last = details.last_post.get(a.id)
            recv, repl = details.messages.get(a.id, (None, None))
            posts = r.get("posts")
            figures.append(rules.AccountFigures(
                account_id=a.id, label=a.label, network=a.network.value, handle=a.handle,
                name=a.name, function=a.function.value,
                posts_per_week=None if posts is None else posts / weeks,
                followers=r.get("followers"),
                audience_growth_rate=r.get("audience_growth_rate"),
                engagement_rate=r.get("engagement_rate"),
                days_since_last_post=None if last is None else (period.end - last).days,
                messages_received=recv, messages_replied=repl,
            ))
        verdicts = {v.account_id: v for v in rules.judge(figures)}
        medians = {
            key: rules.median([v for f in figures if (v := getattr(f, key)) is not None])
            for key, _ in rules.KEY_FIGURES
        }
        rows: list[dict[str, Any]] = []
        for f in sorted(figures, key=lambda f: verdicts[f.account_id].rank):
            v = verdicts[f.account_id]
            types = rules.best_of(details.content_types.get(f.account_id, []))
            hrs = rules.best_of(details.hours.get(f.account_id, []))
            acc_row = by_acc.get(f.account_id, {})
            rows.append({
                "rank": v.rank,
                "account_id": f.account_id,
                "account": f.label,
                "network": f.network,
                "handle": f.handle,
                "function": f.function,
                "posts_per_week": _round(f.posts_per_week),
                "followers": f.followers,
                "audience_growth_rate": _round(f.audience_growth_rate),
                "engagement_rate": _round(f.engagement_rate),
                "response_rate": _round(f.response_rate),
                "best_content_types": [
                    {"type": t, "engagements_per_post": round(e, 1), "posts": n}
                    for t, e, n in types],
                "best_hours": [
                    {"hour": h, "engagements_per_post": round(e, 1), "posts": n}
                    for h, e, n in hrs],
                "days_since_last_post": f.days_since_last_post,
                "verdict": v.label,
                "reason": v.reason,
                "flags": [fl.message for fl in v.flags],
                "flag_codes": [fl.code for fl in v.flags],
                "amplification_rate": _round(acc_row.get("amplification_rate")),
            })
        report = AuditReport(
            workspace=workspace.slug, period=period, accounts=rows,
            medians={k: _round(v) for k, v in medians.items()},
            workspace_figures={k: _round(v) for k, v in totals.items()}, notes=notes,
        )
        if save:
            run = self.repo.save_audit(
                workspace.id, period.start, period.end, report.as_dict(),
                self._baselines(by_acc, totals, own, period),
            )
            report.run_id = run.id
        return report

    def _compute(
        self, workspace: Workspace, requests: Sequence[tuple[str, str | None]],
        breakdown: Breakdown, period: DateRange, account_ids: list[int],
    ) -> MetricTable | None:
        """Metric service call; None when the period holds no data at all."""
        try:
            return self.metrics.compute(workspace, requests, breakdown, period,
                                        account_ids=account_ids)
        except MissingData:
            return None

    def _baselines(
        self, by_acc: dict[int, dict[str, Any]], totals: dict[str, float | None],
        own: Sequence[Account], period: DateRange,
    ) -> list[tuple[int | None, str, str, float, str]]:
        out: list[tuple[int | None, str, str, float, str]] = []
        cat = self.metrics.catalogue
        labels = {a.id: a.label for a in own}
        for acc_id, values in [(None, totals), *by_acc.items()]:
            for m in BASELINE_METRICS:
                v = values.get(m)
                if v is None:
                    continue
                metric = cat.metric(m)
                variant = metric.default_variant
                formula = metric.variant(variant).formula_text
                scope = f"account {labels[acc_id]}" if acc_id is not None else "own accounts"
                how = (f"MetricsService.compute({m}, variant {variant}) = {formula} over "
                       f"{period.label()}, {scope}")
                out.append((acc_id, m, variant, float(v), how))
        return out

    def runs(self, workspace: Workspace) -> list[AuditRun]:
        return self.repo.audit_runs(workspace.id)

    def baselines(self, workspace: Workspace, run_id: int | None = None) -> list[Baseline]:
        """Baselines of the latest audit run (or of ``run_id``): what goals can start from.

        Each :class:`Baseline` has ``account_id`` (None for the workspace's own accounts
        together), ``metric``, ``variant``, ``period_start``/``period_end``, ``value`` (as the
        metric service returns it: percentages x100) and ``how`` (the computation in words).
        An empty list means no audit has been run yet.
        """
        return self.repo.baselines(workspace.id, run_id)

    def baseline(
        self, workspace: Workspace, metric: str, account_id: int | None = None
    ) -> Baseline | None:
        """One stored baseline of the latest run, or None."""
        for b in self.baselines(workspace):
            if b.metric == metric and b.account_id == account_id:
                return b
        return None


def _round(v: float | None, digits: int = 2) -> float | None:
    return None if v is None else round(float(v), digits)

