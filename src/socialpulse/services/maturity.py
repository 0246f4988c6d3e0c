"""Maturity use cases: organisation profile, assessments, evidence, benchmarks, recommendations.

The rules are pure (``domain/maturity.py``); this service loads the catalogues, reads and writes
the maturity tables, and gathers evidence from the workspace's data through the metric service
(never re-implementing a formula).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from socialpulse.adapters.store import Store
from socialpulse.adapters.store.maturity_tables import Assessment, MaturityRepo, StoredPack
from socialpulse.catalogue import read_yaml
from socialpulse.domain import maturity as mat
from socialpulse.domain.errors import InvalidInput, MissingData, NotFound
from socialpulse.domain.formatting import format_value
from socialpulse.domain.models import Function, Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import Breakdown, own_accounts
from socialpulse.services.metrics import MetricsService, MetricTable

#: Evidence looks at the last 90 days with data.
EVIDENCE_DAYS = 90


def load_answers_document(path: Path) -> Any:
    """Read a YAML or JSON answers (or pack) file; errors name the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read ({exc})") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{path}: invalid YAML{where}") from None


@lru_cache(maxsize=1)
def questionnaire() -> mat.Questionnaire:
    """The questionnaire shipped with the package (validated once per process)."""
    return mat.load_questionnaire(read_yaml("maturity.yaml"), "maturity.yaml")


def template_text(q: mat.Questionnaire) -> str:
    """A blank answers file: every question with its five anchored answers as comments."""
    lines = [
        f"# {q.title}, questionnaire version {q.version}.",
        "# Answer each question with the level (1-5) whose description is most true today.",
        "# Levels follow the five stages: 1 Listen, 2 Participate, 3 Scale, 4 Integrate,",
        "# 5 Transform. Then run: socialpulse assess --answers THIS_FILE",
        f"questionnaire: {q.id}",
        f"version: {q.version}",
        "organisation:",
        f"  # industry: one of {', '.join(mat.INDUSTRIES)}",
        "  industry:",
        f"  # size_band: one of {', '.join(mat.SIZE_BANDS)}",
        "  size_band:",
        f"  # region: one of {', '.join(mat.REGIONS)}",
        "  region:",
        "answers:",
    ]
    for d in q.dimensions:
        lines.append(f"  # === {d.name} ===")
        for question in q.questions_of(d.id):
            lines.append(f"  # {question.text}  (source: {question.seed})")
            for i, a in enumerate(question.anchors, start=1):
                lines.append(f"  #   {i} ({mat.stage_name(i)}): {a}")
            lines.append(f"  {question.id}:")
    return "\n".join(lines) + "\n"


@dataclass
class AssessmentResult:
    """Everything the results page and `assess` show for one completed assessment."""

    assessment: Assessment
    scores: mat.Scores
    previous: Assessment | None
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
    def __init__(self, metrics: MetricsService, store: Store, repo: MaturityRepo) -> None:
        self.metrics = metrics
        self.store = store
        self.repo = repo

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
        self, workspace: Workspace, industry: str, size_band: str, region: str, name: str = ""
    ) -> mat.Profile:
        profile = mat.check_profile(industry, size_band, region, name or workspace.name)
        self.repo.set_profile(workspace.id, profile)
        return profile

    # -- assessments ----------------------------------------------------------------------------

    def assess_file(self, workspace: Workspace, path: Path) -> AssessmentResult:
        """Validate an answers file completely, then store the profile and the assessment."""
        doc = load_answers_document(path)
        parsed = mat.parse_answers(doc, self.questionnaire, str(path))
        scores = mat.score_answers(self.questionnaire, parsed.answers)
        if parsed.profile is not None:
            self.repo.set_profile(workspace.id, mat.Profile(
                parsed.profile.industry, parsed.profile.size_band, parsed.profile.region,
                parsed.profile.name or workspace.name))
        a = self.repo.create_assessment(workspace.id, self.questionnaire.version,
                                        parsed.answers, f"file {path.name}",
                                        scores=self._stored_scores(scores))
        return self.result(workspace, a.id)

    def open_draft(self, workspace: Workspace) -> Assessment | None:
        """The workspace's open draft of this questionnaire version, if any. A read: pages
        that only show the questionnaire call this, so viewing never creates a draft."""
        for d in self.repo.assessments(workspace.id, "draft"):
            if d.questionnaire_version == self.questionnaire.version:
                return d
        return None

    def draft(self, workspace: Workspace) -> Assessment:
        """The workspace's open draft (resume), or a new one: a write, for saving answers."""
        found = self.open_draft(workspace)
        if found is not None:
            return found
        return self.repo.create_assessment(workspace.id, self.questionnaire.version, {}, "web")

    def save_answers(
        self, workspace: Workspace, assessment_id: int, answers: Mapping[str, Any]
    ) -> Assessment:
        """Save some answers of a draft (one dimension per step); each is validated."""
        a = self.repo.assessment(workspace.id, assessment_id)
        if a.status != "draft":
            raise InvalidInput(f"assessment {assessment_id} is complete; start a new one")
        merged = dict(a.answers)
        for qid, value in answers.items():
            merged[qid] = mat.check_answer(self.questionnaire, qid, value, "answers")
        return self.repo.update_answers(assessment_id, merged)

    def complete(self, workspace: Workspace, assessment_id: int) -> AssessmentResult:
        a = self.repo.assessment(workspace.id, assessment_id)
        if a.status != "draft":
            raise InvalidInput(f"assessment {assessment_id} is already complete")
        missing = [q for q in self.questionnaire.question_ids if q not in a.answers]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more"
                                              if len(missing) > 5 else "")
            raise InvalidInput(f"answers: missing answer for {shown}")
        scores = mat.score_answers(self.questionnaire, a.answers)
        self.repo.complete(assessment_id, self._stored_scores(scores))
        return self.result(workspace, assessment_id)

    @staticmethod
    def _stored_scores(scores: mat.Scores) -> dict[str, Any]:
        d = scores.as_dict()
        d["by_dimension"] = {k: round(v, 2) for k, v in scores.by_dimension().items()}
        return d

    def assessments(self, workspace: Workspace) -> list[Assessment]:
        return self.repo.assessments(workspace.id)

    def latest(self, workspace: Workspace) -> Assessment | None:
        done = self.repo.assessments(workspace.id, "complete")
        return done[0] if done else None

    def scores_of(self, a: Assessment) -> mat.Scores:
        """Scores of a stored assessment: recomputed for this version, else as stored."""
        if a.questionnaire_version == self.questionnaire.version:
            return mat.score_answers(self.questionnaire, a.answers)
        stored = a.scores or {}
        dims = tuple(
            mat.DimensionScore(d["dimension"], d["name"], float(d["score"]), int(d["stage"]), 0, 0)
            for d in stored.get("dimensions", [])
        )
        return mat.Scores(dims, float(stored.get("overall_score", 0)),
                          int(stored.get("mean_stage", 1)), int(stored.get("weakest_stage", 1)),
                          tuple(stored.get("weakest_dimensions", [])))

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
        rng = self.metrics.data_range(workspace)
        if rng is None:
            return None
        return DateRange(max(rng.start, rng.end - timedelta(days=EVIDENCE_DAYS - 1)), rng.end)

    def _compute(self, workspace: Workspace, metrics: Sequence[tuple[str, str | None]],
                 breakdown: Breakdown, period: DateRange, ids: list[int]) -> MetricTable | None:
        try:
            return self.metrics.compute(workspace, metrics, breakdown, period, account_ids=ids)
        except MissingData:
            return None

    def evidence(self, workspace: Workspace) -> dict[str, mat.Evidence]:
        """Facts from the last 90 days of the workspace's own accounts (via the metric service)."""
        try:
            period = self.evidence_period(workspace)
        except MissingData:
            period = None
        if period is None:
            return {}
        own = own_accounts(self.store.accounts(workspace.id))
        ids = [a.id for a in own]
        if not ids:
            return {}
        span = f"{period.label()}"
        out: dict[str, mat.Evidence] = {}

        def put(source: str, value: float | None, detail: str = "") -> None:
            unit = mat.EVIDENCE_SOURCES[source][1]
            out[source] = mat.Evidence(source, value, format_value(value, unit),
                                       detail or f"own accounts, {span}")

        totals = self._compute(
            workspace, [("response_rate", None), ("conversation_rate", "per_post"),
                        ("social_conversion_rate", None)], Breakdown(), period, ids)
        row = totals.rows[0] if totals and totals.rows else {}
        put("response_rate", row.get("response_rate"))
        put("comments_per_post", row.get("conversation_rate:per_post"))
        put("social_conversion_rate", row.get("social_conversion_rate"))
        per_acc = self._compute(
            workspace, [("posts", None), ("bounce_rate", None), ("cost_per_click", None)],
            Breakdown(entities=("account",)), period, ids)
        rows = {int(r["account_id"]): r for r in (per_acc.rows if per_acc else [])
                if r.get("account_id") is not None}
        posting = [a for a in own if (rows.get(a.id, {}).get("posts") or 0) > 0]
        functions = sorted({a.function.value for a in posting})
        put("functions_posting", float(len(functions)),
            f"{', '.join(functions) or 'none'} ({span})")
        hr = [a for a in posting if a.function is Function.HR]
        put("hr_accounts_posting", float(len(hr)),
            f"{', '.join(a.label for a in hr) or 'none'} ({span})")
        web = [a for a in own if rows.get(a.id, {}).get("bounce_rate") is not None]
        put("web_analytics", float(len(web)), f"{', '.join(a.label for a in web) or 'none'}")
        paid = [a for a in own if rows.get(a.id, {}).get("cost_per_click") is not None]
        put("paid_social", float(len(paid)), f"{', '.join(a.label for a in paid) or 'none'}")
        mentions = self._compute(workspace, [("brand_mentions", None)], Breakdown(), period, [])
        value = None
        if mentions is not None and mentions.rows:
            value = mentions.rows[0].get("brand_mentions")
        if value is None:
            # no mentions held at all: listening is not set up in socialpulse (0 is the fact)
            value = 0.0
            put("brand_mentions", value, f"no listening data in socialpulse ({span})")
        else:
            put("brand_mentions", value)
        return out

    # -- benchmarks -----------------------------------------------------------------------------

    def compare(
        self, workspace: Workspace, scores: mat.Scores, profile: mat.Profile | None
    ) -> list[dict[str, Any]]:
        """Comparisons with every imported pack and with this installation's organisations."""
        if profile is None:
            return [{"source": "profile", "label": "no organisation profile",
                     "hidden": "set the organisation profile (industry, size band, region) "
                               "to compare with peers", "rows": []}]
        values = {**scores.by_dimension(), mat.OVERALL: scores.overall_score}
        out: list[dict[str, Any]] = []
        for sp in self.repo.packs():
            rows = []
            for dim, score in values.items():
                group, label = mat.find_group(sp.pack.groups, profile.industry,
                                              profile.size_band, dim)
                rows.append(mat.compare_with_group(dim, score, group, f"pack: {sp.pack.name}",
                                                   label).as_dict())
            out.append({"source": "pack", "name": sp.pack.name, "label": sp.pack.label,
                        "synthetic": sp.pack.synthetic, "rows": rows})
        peers = self._peer_scores(workspace, profile)
        rows = []
        for dim, score in values.items():
            group_scores, label = peers
            rows.append(mat.compare_with_peers(
                dim, score, [s[dim] for s in group_scores if dim in s], label).as_dict())
        out.append({"source": "installation", "name": "installation",
                    "label": "Organisations assessed in this installation", "synthetic": False,
                    "rows": rows})
        return out

    def _peer_scores(
        self, workspace: Workspace, profile: mat.Profile
    ) -> tuple[list[dict[str, float]], str]:
        """Latest scores of other organisations here: same industry and size band, else the
        same industry (each organisation once: its latest completed assessment)."""
        profiles = self.repo.profiles()
        latest = self.repo.latest_completed()
        same_band: list[dict[str, float]] = []
        same_industry: list[dict[str, float]] = []
        for ws_id, a in latest.items():
            p = profiles.get(ws_id)
            if ws_id == workspace.id or p is None or p.industry != profile.industry:
                continue
            s = self.scores_of(a)
            vals = {**s.by_dimension(), mat.OVERALL: s.overall_score}
            same_industry.append(vals)
            if p.size_band == profile.size_band:
                same_band.append(vals)
        if len(same_band) >= mat.MIN_GROUP:
            return same_band, (f"{mat.INDUSTRIES[profile.industry]}, "
                               f"{mat.SIZE_BANDS[profile.size_band]} (this installation)")
        return same_industry, f"{mat.INDUSTRIES[profile.industry]}, all sizes (this installation)"

    def import_pack(self, path: Path) -> StoredPack:
        doc = load_answers_document(path)
        pack = mat.parse_pack(doc, str(path), self.dimension_ids)
        return self.repo.save_pack(pack)

    def import_pack_document(self, doc: Any, source: str) -> StoredPack:
        return self.repo.save_pack(mat.parse_pack(doc, source, self.dimension_ids))

    def packs(self) -> list[StoredPack]:
        return self.repo.packs()

    def remove_pack(self, name: str) -> None:
        if not self.repo.delete_pack(name):
            known = ", ".join(sp.pack.name for sp in self.repo.packs()) or "none imported"
            raise NotFound(f"benchmark pack {name!r} not found (packs: {known})")

    def export_installation(self, name: str) -> tuple[dict[str, Any], int, int]:
        """Aggregate this installation's organisations into a pack document.

        Returns the document, the number of organisations used and the number of groups left
        out because they had fewer than 5 organisations. Never contains answers.
        """
        profiles = self.repo.profiles()
        orgs = []
        for ws_id, a in self.repo.latest_completed().items():
            p = profiles.get(ws_id)
            if p is None:
                continue
            s = self.scores_of(a)
            orgs.append(mat.OrgScores(p.industry, p.size_band,
                                      {**s.by_dimension(), mat.OVERALL: s.overall_score}))
        groups, suppressed = mat.aggregate(orgs, self.dimension_ids)
        pack = mat.Pack(name, name, False,
                        f"Aggregated from {len(orgs)} organisations assessed in one installation",
                        self.questionnaire.version, tuple(groups))
        return mat.pack_document(pack, datetime.now(UTC).date().isoformat()), len(orgs), suppressed

    def export_pack(self, name: str) -> dict[str, Any]:
        for sp in self.repo.packs():
            if sp.pack.name == name:
                return mat.pack_document(sp.pack, sp.imported_at.date().isoformat())
        known = ", ".join(sp.pack.name for sp in self.repo.packs()) or "none imported"
        raise NotFound(f"benchmark pack {name!r} not found (packs: {known})")
