"""App tables of the audit, the maturity assessment and benchmarks, and their repository.

- ``maturity_audit_runs`` / ``maturity_baselines``: each audit run and the baseline values it
  measured (metric, variant, period, value, how computed), per account and for the workspace;
  goals read them through ``AuditService.baselines``.
- ``maturity_profiles``: the organisation profile of a workspace (industry, size band, region).
- ``maturity_assessments``: drafts and completed assessments with the questionnaire version,
  the answers and the scores at completion (so old assessments stay comparable).
- ``maturity_benchmark_packs`` / ``maturity_benchmark_groups``: imported packs, aggregates only
  (per industry x size band x dimension: quantiles and n), never answers.
Everything is scoped by workspace except packs, which belong to the installation. The values
the repository returns (`Assessment`, `StoredPack`, `AuditRun`, `Baseline`) are domain records
(``domain/maturity/records.py``), re-exported here for older imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    delete,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.domain.errors import NotFound
from socialpulse.domain.maturity import (
    Assessment,
    AuditRun,
    Baseline,
    BenchmarkGroup,
    Pack,
    Profile,
    StoredPack,
)

from . import Store
from .columns import id_pk, ref, timestamp, workspace_ref
from .tables import Base

__all__ = ["Assessment", "AuditRun", "Baseline", "MaturityRepo", "StoredPack"]


def _now() -> datetime:
    return datetime.now(UTC)


class AuditRunRow(Base):
    __tablename__ = "maturity_audit_runs"
    __table_args__ = (Index("ix_audit_runs_ws", "workspace_id", "created_at"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = timestamp()
    report: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class BaselineRow(Base):
    __tablename__ = "maturity_baselines"
    __table_args__ = (Index("ix_baselines_run", "run_id"),)
    id: Mapped[int] = id_pk()
    run_id: Mapped[int] = ref("maturity_audit_runs", nullable=False)
    workspace_id: Mapped[int] = workspace_ref()
    account_id: Mapped[int | None] = ref("accounts", nullable=True)
    metric: Mapped[str] = mapped_column(String(80), nullable=False)
    variant: Mapped[str] = mapped_column(String(80), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    how: Mapped[str] = mapped_column(Text, nullable=False)


class ProfileRow(Base):
    __tablename__ = "maturity_profiles"
    workspace_id: Mapped[int] = ref("workspaces", primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    industry: Mapped[str] = mapped_column(String(40), nullable=False)
    size_band: Mapped[str] = mapped_column(String(20), nullable=False)
    region: Mapped[str] = mapped_column(String(40), nullable=False)
    updated_at: Mapped[datetime] = timestamp()


class AssessmentRow(Base):
    __tablename__ = "maturity_assessments"
    __table_args__ = (Index("ix_assessments_ws", "workspace_id", "status"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    questionnaire_version: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # draft | complete
    source: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    answers: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = timestamp()
    updated_at: Mapped[datetime] = timestamp()
    completed_at: Mapped[datetime | None] = timestamp(nullable=True)


class BenchmarkPackRow(Base):
    __tablename__ = "maturity_benchmark_packs"
    id: Mapped[int] = id_pk()
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    label: Mapped[str] = mapped_column(String(300), nullable=False)
    synthetic: Mapped[bool] = mapped_column(Boolean, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    questionnaire_version: Mapped[int] = mapped_column(Integer, nullable=False)
    imported_at: Mapped[datetime] = timestamp()


class BenchmarkGroupRow(Base):
    __tablename__ = "maturity_benchmark_groups"
    __table_args__ = (Index("ix_bench_groups_pack", "pack_id", "industry"),)
    id: Mapped[int] = id_pk()
    pack_id: Mapped[int] = ref("maturity_benchmark_packs", nullable=False)
    industry: Mapped[str] = mapped_column(String(40), nullable=False)
    size_band: Mapped[str] = mapped_column(String(20), nullable=False)
    dimension: Mapped[str] = mapped_column(String(40), nullable=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
    p10: Mapped[float] = mapped_column(Float, nullable=False)
    p25: Mapped[float] = mapped_column(Float, nullable=False)
    p50: Mapped[float] = mapped_column(Float, nullable=False)
    p75: Mapped[float] = mapped_column(Float, nullable=False)
    p90: Mapped[float] = mapped_column(Float, nullable=False)


def _assessment(r: AssessmentRow) -> Assessment:
    return Assessment(
        id=r.id, workspace_id=r.workspace_id, questionnaire_version=r.questionnaire_version,
        status=r.status, source=r.source, answers={k: int(v) for k, v in (r.answers or {}).items()},
        scores=r.scores, created_at=r.created_at, updated_at=r.updated_at,
        completed_at=r.completed_at,
    )


class MaturityRepo:
    """Repository over the maturity tables; every method is one short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- audit ----------------------------------------------------------------------------------

    def save_audit(
        self,
        workspace_id: int,
        period_start: date,
        period_end: date,
        report: dict[str, Any],
        baselines: Sequence[tuple[int | None, str, str, float, str]],
    ) -> AuditRun:
        """Store a run and its baselines together (one transaction: never half-written)."""
        with self.store.session() as s:
            row = AuditRunRow(workspace_id=workspace_id, period_start=period_start,
                              period_end=period_end, created_at=_now(), report=report)
            s.add(row)
            s.flush()
            for account_id, metric, variant, value, how in baselines:
                s.add(BaselineRow(run_id=row.id, workspace_id=workspace_id, account_id=account_id,
                                  metric=metric, variant=variant, period_start=period_start,
                                  period_end=period_end, value=value, how=how))
            s.flush()
            return AuditRun(row.id, workspace_id, period_start, period_end, row.created_at,
                            report)

    def audit_runs(self, workspace_id: int) -> list[AuditRun]:
        with self.store.session() as s:
            rows = s.scalars(select(AuditRunRow).where(AuditRunRow.workspace_id == workspace_id)
                             .order_by(AuditRunRow.id.desc()))
            return [AuditRun(r.id, r.workspace_id, r.period_start, r.period_end, r.created_at,
                             r.report) for r in rows]

    def baselines(self, workspace_id: int, run_id: int | None = None) -> list[Baseline]:
        """Baselines of one run (default: the latest run of the workspace)."""
        with self.store.session() as s:
            if run_id is None:
                run_id = s.scalar(select(AuditRunRow.id)
                                  .where(AuditRunRow.workspace_id == workspace_id)
                                  .order_by(AuditRunRow.id.desc()).limit(1))
                if run_id is None:
                    return []
            run = s.get(AuditRunRow, run_id)
            if run is None or run.workspace_id != workspace_id:
                raise NotFound(f"audit run {run_id} not found in this workspace")
            rows = s.scalars(select(BaselineRow).where(BaselineRow.run_id == run_id)
                             .order_by(BaselineRow.account_id.is_not(None), BaselineRow.account_id,
                                       BaselineRow.metric))
            return [Baseline(r.run_id, r.account_id, r.metric, r.variant, r.period_start,
                             r.period_end, r.value, r.how, run.created_at) for r in rows]

    # -- profile --------------------------------------------------------------------------------

    def profile(self, workspace_id: int) -> Profile | None:
        with self.store.session() as s:
            r = s.get(ProfileRow, workspace_id)
            return None if r is None else Profile(r.industry, r.size_band, r.region, r.name)

    def set_profile(self, workspace_id: int, profile: Profile) -> None:
        with self.store.session() as s:
            r = s.get(ProfileRow, workspace_id)
            if r is None:
                r = ProfileRow(workspace_id=workspace_id)
                s.add(r)
            r.name = profile.name
            r.industry = profile.industry
            r.size_band = profile.size_band
            r.region = profile.region
            r.updated_at = _now()

    def profiles(self) -> dict[int, Profile]:
        with self.store.session() as s:
            return {r.workspace_id: Profile(r.industry, r.size_band, r.region, r.name)
                    for r in s.scalars(select(ProfileRow))}

    # -- assessments ----------------------------------------------------------------------------

    def create_assessment(
        self, workspace_id: int, version: int, answers: dict[str, int], source: str,
        scores: dict[str, Any] | None = None, completed_at: datetime | None = None,
    ) -> Assessment:
        now = _now()
        with self.store.session() as s:
            r = AssessmentRow(
                workspace_id=workspace_id, questionnaire_version=version,
                status="complete" if scores is not None else "draft", source=source,
                answers=dict(answers), scores=scores, created_at=completed_at or now,
                updated_at=completed_at or now,
                completed_at=(completed_at or now) if scores is not None else None,
            )
            s.add(r)
            s.flush()
            return _assessment(r)

    def update_answers(self, assessment_id: int, answers: dict[str, int]) -> Assessment:
        with self.store.session() as s:
            r = s.get(AssessmentRow, assessment_id)
            if r is None:
                raise NotFound(f"assessment {assessment_id} not found")
            r.answers = dict(answers)
            r.updated_at = _now()
            s.flush()
            return _assessment(r)

    def complete(self, assessment_id: int, scores: dict[str, Any]) -> Assessment:
        with self.store.session() as s:
            r = s.get(AssessmentRow, assessment_id)
            if r is None:
                raise NotFound(f"assessment {assessment_id} not found")
            r.status = "complete"
            r.scores = scores
            r.completed_at = r.updated_at = _now()
            s.flush()
            return _assessment(r)

    def assessment(self, workspace_id: int, assessment_id: int) -> Assessment:
        with self.store.session() as s:
            r = s.get(AssessmentRow, assessment_id)
            if r is None or r.workspace_id != workspace_id:
                raise NotFound(f"assessment {assessment_id} not found in this workspace")
            return _assessment(r)

    def assessments(self, workspace_id: int, status: str | None = None) -> list[Assessment]:
        """Newest first."""
        with self.store.session() as s:
            q = select(AssessmentRow).where(AssessmentRow.workspace_id == workspace_id)
            if status:
                q = q.where(AssessmentRow.status == status)
            return [_assessment(r) for r in s.scalars(q.order_by(
                AssessmentRow.completed_at.desc().nulls_first(), AssessmentRow.id.desc()))]

    def latest_completed(self) -> dict[int, Assessment]:
        """Each workspace's latest completed assessment (installation peers)."""
        out: dict[int, Assessment] = {}
        with self.store.session() as s:
            rows = s.scalars(select(AssessmentRow).where(AssessmentRow.status == "complete")
                             .order_by(AssessmentRow.completed_at, AssessmentRow.id))
            for r in rows:
                out[r.workspace_id] = _assessment(r)
        return out

    # -- benchmark packs ------------------------------------------------------------------------

    def save_pack(self, pack: Pack) -> StoredPack:
        """Insert or replace a pack by name (one transaction)."""
        with self.store.session() as s:
            old = s.scalar(select(BenchmarkPackRow).where(BenchmarkPackRow.name == pack.name))
            if old is not None:
                s.execute(delete(BenchmarkGroupRow).where(BenchmarkGroupRow.pack_id == old.id))
                s.delete(old)
                s.flush()
            row = BenchmarkPackRow(name=pack.name, label=pack.label, synthetic=pack.synthetic,
                                   description=pack.description,
                                   questionnaire_version=pack.questionnaire_version,
                                   imported_at=_now())
            s.add(row)
            s.flush()
            for g in pack.groups:
                q = g.quantiles
                s.add(BenchmarkGroupRow(pack_id=row.id, industry=g.industry,
                                        size_band=g.size_band, dimension=g.dimension, n=g.n,
                                        p10=q["p10"], p25=q["p25"], p50=q["p50"], p75=q["p75"],
                                        p90=q["p90"]))
            return StoredPack(row.id, pack, row.imported_at)

    def delete_pack(self, name: str) -> bool:
        """Remove a pack and its groups; False when no pack has that name."""
        with self.store.session() as s:
            row = s.scalar(select(BenchmarkPackRow).where(BenchmarkPackRow.name == name))
            if row is None:
                return False
            s.execute(delete(BenchmarkGroupRow).where(BenchmarkGroupRow.pack_id == row.id))
            s.delete(row)
            return True

    def packs(self) -> list[StoredPack]:
        with self.store.session() as s:
            out = []
            for row in s.scalars(select(BenchmarkPackRow).order_by(BenchmarkPackRow.id)):
                groups = tuple(
                    BenchmarkGroup(g.industry, g.size_band, g.dimension, g.n,
                                   {"p10": g.p10, "p25": g.p25, "p50": g.p50, "p75": g.p75,
                                    "p90": g.p90})
                    for g in s.scalars(select(BenchmarkGroupRow)
                                       .where(BenchmarkGroupRow.pack_id == row.id)
                                       .order_by(BenchmarkGroupRow.id))
                )
                pack = Pack(row.name, row.label, row.synthetic, row.description,
                            row.questionnaire_version, groups)
                out.append(StoredPack(row.id, pack, row.imported_at))
            return out
