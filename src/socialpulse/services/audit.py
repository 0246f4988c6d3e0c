"""The social media audit (seed 004, step 1): every own account in one place, with a baseline.

Metric values (posts, followers, audience growth, engagement rate, response rate...) come only
from :class:`MetricsService`. Two details the metric catalogue does not hold are read here from
the lake (one small DuckDB query in `adapters/lake_audit.py`, behind the `AuditLakeReads`
port), because they are groupings the catalogue cannot express
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
from datetime import timedelta
from typing import Any

from socialpulse.domain import audit as rules
from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.audit import LakeDetails
from socialpulse.domain.errors import MissingData
from socialpulse.domain.maturity import AuditRun, Baseline
from socialpulse.domain.models import Account, Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import Breakdown, own_accounts
from socialpulse.services.metrics import MetricsService, MetricTable
from socialpulse.services.ports import AuditLakeReads, AuditRuns, WorkspaceRepository

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


class AuditService:
    def __init__(self, metrics: MetricsService, store: WorkspaceRepository,
                 lake: AuditLakeReads, repo: AuditRuns) -> None:
        self.metrics = metrics
        self.store = store
        self.lake = lake  # content types, hours, last posts, messages (adapters/lake_audit.py)
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

    def save(self, actor: Actor, workspace: Workspace, period: DateRange | None = None
             ) -> AuditReport:
        """Audit and store the run with its baselines (what goals start from): a write."""
        authorize(actor, Action.MATURITY_EDIT, workspace.slug)
        return self._audit(workspace, period, store=True)

    def run(self, workspace: Workspace, period: DateRange | None = None) -> AuditReport:
        """Audit every own account over the period (default: the last 90 days with data);
        a read: nothing is stored (see `save`)."""
        return self._audit(workspace, period, store=False)

    def _audit(self, workspace: Workspace, period: DateRange | None, store: bool
               ) -> AuditReport:
        period = period or self.default_period(workspace)
        own = self.own_accounts(workspace)
        by_acc, totals, notes = self._measure(workspace, own, period)
        details = self.lake.audit_details(workspace.id, period, workspace.timezone)
        figures = _figures(own, by_acc, details, period)
        verdicts = {v.account_id: v for v in rules.judge(figures)}
        medians = {
            key: rules.median([v for f in figures if (v := getattr(f, key)) is not None])
            for key, _ in rules.KEY_FIGURES
        }
        rows = [_account_row(f, verdicts[f.account_id], details, by_acc.get(f.account_id, {}))
                for f in sorted(figures, key=lambda f: verdicts[f.account_id].rank)]
        report = AuditReport(
            workspace=workspace.slug, period=period, accounts=rows,
            medians={k: _round(v) for k, v in medians.items()},
            workspace_figures={k: _round(v) for k, v in totals.items()}, notes=notes,
        )
        if store:
            run = self.repo.save_audit(
                workspace.id, period.start, period.end, report.as_dict(),
                self._baselines(by_acc, totals, own, period),
            )
            report.run_id = run.id
        return report

    def _measure(self, workspace: Workspace, own: Sequence[Account], period: DateRange
                 ) -> tuple[dict[int, dict[str, Any]], dict[str, float | None], list[str]]:
        """The baseline metrics per own account and for all of them together, with notes."""
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
        return by_acc, totals, notes

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


def _figures(own: Sequence[Account], by_acc: dict[int, dict[str, Any]], details: LakeDetails,
             period: DateRange) -> list[rules.AccountFigures]:
    """What the audit's rules judge, per own account."""
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
    return figures


def _account_row(f: rules.AccountFigures, v: rules.Verdict, details: LakeDetails,
                 acc_row: dict[str, Any]) -> dict[str, Any]:
    """One account of the report, as shown and saved."""
    types = rules.best_of(details.content_types.get(f.account_id, []))
    hrs = rules.best_of(details.hours.get(f.account_id, []))
    return {
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
    }


def _round(v: float | None, digits: int = 2) -> float | None:
    return None if v is None else round(float(v), digits)

