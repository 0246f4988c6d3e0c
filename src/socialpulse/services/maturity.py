"""Maturity use cases: organisation profile, assessments, evidence, benchmarks, recommendations.

The rules are pure (``domain/maturity/``); this service loads the catalogues, reads and writes
profiles and assessments through the repository port (`ports.MaturityRepository`), gathers
evidence from the workspace's data through the metric service (`maturity_evidence`, never
re-implementing a formula) and compares with peers (`maturity_benchmarks`). Writes take the
acting user and ask `authorize` first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from socialpulse.catalogue import read_yaml
from socialpulse.domain import maturity as mat
from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput, NotFound
from socialpulse.domain.models import Account, Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.maturity_benchmarks import MaturityBenchmarks
from socialpulse.services.maturity_documents import (
    load_answers_document,
    questionnaire,
    template_text,
)
from socialpulse.services.maturity_evidence import EvidenceGatherer, evidence_period
from socialpulse.services.metrics import MetricsService
from socialpulse.services.ports import MaturityRepository

__all__ = ["AssessmentResult", "MaturityService", "load_answers_document", "questionnaire",
           "template_text"]


@dataclass
class AssessmentResult:
    """Everything the results page and `assess` show for one completed assessment."""

    assessment: mat.Assessment
    scores: mat.Scores
    previous: mat.Assessment | None
    progress: list[mat.Change]
    findings: list[mat.Finding]
    comparisons: list[dict[str, Any]]  # per pack / installation: label, synthetic, rows
    recommendations: list[mat.Recommendation]
    profile: mat.Profile | None

    def as_dict(self, questionnaire: mat.Questionnaire) -> dict[str, Any]:
        names = {d.id: d.name for d in questionnaire.dimensions}
        return {
            "assessment": {
                "id": self.assessment.id,
                "questionnaire_version": self.assessment.questionnaire_version,
                "completed_at": self.assessment.completed_at.isoformat()
                if self.assessment.completed_at else None,
                "source": self.assessment.source,
            },
            "profile": None if self.profile is None else {
                "name": self.profile.name, "industry": self.profile.industry,
                "size_band": self.profile.size_band, "region": self.profile.region},
            "scores": self.scores.as_dict(),
            "previous": None if self.previous is None else {
                "id": self.previous.id,
                "completed_at": self.previous.completed_at.isoformat()
                if self.previous.completed_at else None,
                "questionnaire_version": self.previous.questionnaire_version,
            },
            "progress": [
                {"dimension": c.dimension, "name": names.get(c.dimension, c.dimension),
                 "before": round(c.before, 1), "after": round(c.after, 1),
                 "change": round(c.delta, 1)}
                for c in self.progress
            ],
            "evidence": [f.as_dict() for f in self.findings],
            "benchmarks": self.comparisons,
            "recommendations": [
                {"id": r.id, "dimension": r.dimension, "dimension_name": names[r.dimension],
                 "title": r.title, "action": r.action, "seed": r.seed,
                 "goal_template": r.goal_template}
                for r in self.recommendations
            ],
        }


class MaturityService:
    """The assessment of one installation's workspaces; benchmarks and evidence are delegated
    to `MaturityBenchmarks` and `EvidenceGatherer`, whose methods it also offers."""

    def __init__(self, metrics: MetricsService,
                 accounts: Callable[[Workspace], Sequence[Account]],
                 repo: MaturityRepository) -> None:
        self.metrics = metrics
        self.accounts = accounts
        self.repo = repo
        self.benchmarks = MaturityBenchmarks(repo, self.questionnaire)

    # -- catalogues -----------------------------------------------------------------------------

    @property
    def questionnaire(self) -> mat.Questionnaire:
        return questionnaire()

    @cached_property
    def recommendations(self) -> tuple[mat.Recommendation, ...]:
        goal_metrics = {gt.id: gt.metrics for gt in self.metrics.catalogue.goal_types.values()}
        return mat.load_recommendations(
            read_yaml("maturity_recommendations.yaml"), self.questionnaire, goal_metrics,
            "maturity_recommendations.yaml",
        )

    @property
    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.questionnaire.dimensions]

    def template(self) -> str:
        return template_text(self.questionnaire)

    # -- profile --------------------------------------------------------------------------------

    def profile(self, workspace: Workspace) -> mat.Profile | None:
        return self.repo.profile(workspace.id)

    def set_profile(
        self, actor: Actor, workspace: Workspace, industry: str, size_band: str, region: str,
        name: str = "",
    ) -> mat.Profile:
        authorize(actor, Action.MATURITY_EDIT, workspace.slug)
        profile = mat.check_profile(industry, size_band, region, name or workspace.name)
        self.repo.set_profile(workspace.id, profile)
        return profile

    # -- assessments ----------------------------------------------------------------------------

    def assess_file(self, actor: Actor, workspace: Workspace, path: Path) -> AssessmentResult:
        """Validate an answers file completely, then store the profile and the assessment."""
        authorize(actor, Action.MATURITY_EDIT, workspace.slug)
        doc = load_answers_document(path)
        parsed = mat.parse_answers(doc, self.questionnaire, str(path))
        scores = mat.score_answers(self.questionnaire, parsed.answers)
        if parsed.profile is not None:
            self.repo.set_profile(workspace.id, mat.Profile(
                parsed.profile.industry, parsed.profile.size_band, parsed.profile.region,
                parsed.profile.name or workspace.name))
        a = self.repo.create_assessment(workspace.id, self.questionnaire.version,
                                        parsed.answers, f"file {path.name}",
                                        scores=mat.stored_scores(scores))
        return self.result(workspace, a.id)

    def open_draft(self, workspace: Workspace) -> mat.Assessment | None:
        """The workspace's open draft of this questionnaire version, if any. A read: pages
        that only show the questionnaire call this, so viewing never creates a draft."""
        for d in self.repo.assessments(workspace.id, "draft"):
            if d.questionnaire_version == self.questionnaire.version:
                return d
        return None

    def draft(self, actor: Actor, workspace: Workspace) -> mat.Assessment:
        """The workspace's open draft (resume), or a new one: a write, for saving answers."""
        authorize(actor, Action.MATURITY_EDIT, workspace.slug)
        found = self.open_draft(workspace)
        if found is not None:
            return found
        return self.repo.create_assessment(workspace.id, self.questionnaire.version, {}, "web")

    def new_assessment(self, actor: Actor, workspace: Workspace, source: str) -> mat.Assessment:
        """A new, empty draft (beside any open one): the API answers whole assessments."""
        authorize(actor, Action.MATURITY_EDIT, workspace.slug)
        return self.repo.create_assessment(workspace.id, self.questionnaire.version, {}, source)

    def save_answers(
        self, actor: Actor, workspace: Workspace, assessment_id: int, answers: Mapping[str, Any]
    ) -> mat.Assessment:
        """Save some answers of a draft (one dimension per step); each is validated."""
        authorize(actor, Action.MATURITY_EDIT, workspace.slug)
        a = self.repo.assessment(workspace.id, assessment_id)
        if a.status != "draft":
            raise InvalidInput(f"assessment {assessment_id} is complete; start a new one")
        merged = dict(a.answers)
        for qid, value in answers.items():
            merged[qid] = mat.check_answer(self.questionnaire, qid, value, "answers")
        return self.repo.update_answers(assessment_id, merged)

    def complete(self, actor: Actor, workspace: Workspace, assessment_id: int
                 ) -> AssessmentResult:
        authorize(actor, Action.MATURITY_EDIT, workspace.slug)
        a = self.repo.assessment(workspace.id, assessment_id)
        if a.status != "draft":
            raise InvalidInput(f"assessment {assessment_id} is already complete")
        missing = [q for q in self.questionnaire.question_ids if q not in a.answers]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more"
                                              if len(missing) > 5 else "")
            raise InvalidInput(f"answers: missing answer for {shown}")
        scores = mat.score_answers(self.questionnaire, a.answers)
        self.repo.complete(assessment_id, mat.stored_scores(scores))
        return self.result(workspace, assessment_id)

    def assessments(self, workspace: Workspace) -> list[mat.Assessment]:
        return self.repo.assessments(workspace.id)

    def latest(self, workspace: Workspace) -> mat.Assessment | None:
        done = self.repo.assessments(workspace.id, "complete")
        return done[0] if done else None

    def scores_of(self, a: mat.Assessment) -> mat.Scores:
        """Scores of a stored assessment: recomputed for this version, else as stored."""
        return mat.scores_of(self.questionnaire, a)

    def result(self, workspace: Workspace, assessment_id: int | None = None) -> AssessmentResult:
        if assessment_id is None:
            latest = self.latest(workspace)
            if latest is None:
                raise NotFound(
                    f"workspace {workspace.slug!r} has no completed assessment yet; take it in "
                    "the browser (Maturity page) or run `socialpulse assess --answers FILE`"
                )
            assessment_id = latest.id
        a = self.repo.assessment(workspace.id, assessment_id)
        if a.status != "complete":
            raise InvalidInput(f"assessment {assessment_id} is a draft; complete it first")
        scores = self.scores_of(a)
        done = self.repo.assessments(workspace.id, "complete")
        older = [x for x in done if x.completed_at and a.completed_at
                 and x.completed_at < a.completed_at]
        previous = older[0] if older else None
        changes = (mat.progress(self.scores_of(previous).by_dimension(), scores.by_dimension())
                   if previous else [])
        findings = (mat.check_evidence(self.questionnaire, a.answers, self.evidence(workspace))
                    if a.questionnaire_version == self.questionnaire.version else [])
        profile = self.profile(workspace)
        return AssessmentResult(
            assessment=a, scores=scores, previous=previous, progress=changes, findings=findings,
            comparisons=self.compare(workspace, scores, profile),
            recommendations=mat.recommend(scores, self.recommendations), profile=profile,
        )

    # -- evidence -------------------------------------------------------------------------------

    def evidence_period(self, workspace: Workspace) -> DateRange | None:
        return evidence_period(self.metrics, workspace)

    def evidence(self, workspace: Workspace) -> dict[str, mat.Evidence]:
        """Facts from the last 90 days of the workspace's own accounts (via the metric service)."""
        return EvidenceGatherer(self.metrics).gather(workspace, self.accounts(workspace))

    # -- benchmarks -----------------------------------------------------------------------------

    def compare(
        self, workspace: Workspace, scores: mat.Scores, profile: mat.Profile | None
    ) -> list[dict[str, Any]]:
        """Comparisons with every imported pack and with this installation's organisations."""
        return self.benchmarks.compare(workspace, scores, profile)

    def import_pack(self, actor: Actor, path: Path) -> mat.StoredPack:
        authorize(actor, Action.MATURITY_EDIT)
        return self.benchmarks.import_pack(path)

    def import_pack_document(self, actor: Actor, doc: Any, source: str) -> mat.StoredPack:
        authorize(actor, Action.MATURITY_EDIT)
        return self.benchmarks.import_pack_document(doc, source)

    def packs(self) -> list[mat.StoredPack]:
        return self.benchmarks.packs()

    def remove_pack(self, actor: Actor, name: str) -> None:
        authorize(actor, Action.MATURITY_EDIT)
        self.benchmarks.remove_pack(name)

    def export_installation(self, name: str) -> tuple[dict[str, Any], int, int]:
        """Aggregate this installation's organisations into a pack document (never answers);
        also the number of organisations used and of groups left out for being too small."""
        return self.benchmarks.export_installation(name)

    def export_pack(self, name: str) -> dict[str, Any]:
        return self.benchmarks.export_pack(name)
