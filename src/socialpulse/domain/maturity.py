"""The Social Maturity Assessment, pure: questionnaire, scoring, stages, benchmarks, evidence.

Seed 003 gives the five stages (Listen, Participate, Scale, Integrate, Transform); seeds 000-002
give what mature organisations do. The questionnaire is data (``catalogue/maturity.yaml``);
this module validates it, scores answers, places scores on the stages, compares them with peers
(never showing a group of fewer than :data:`MIN_GROUP` organisations) and checks answers against
evidence from the workspace's own data. Nothing here reads files, the clock or a database, so
every rule can be tested with plain values and reused by the CLI, the API and the pages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import CatalogueError, InvalidInput

# --- fixed vocabularies ----------------------------------------------------------------------

#: The five stages of seed 003, lowest first. A stage number is its index + 1.
STAGES: tuple[str, ...] = ("Listen", "Participate", "Scale", "Integrate", "Transform")

#: Twelve industries, as the Hootsuite benchmark of seed 000 covers twelve.
INDUSTRIES: dict[str, str] = {
    "retail": "Retail and e-commerce",
    "consumer_goods": "Consumer goods",
    "financial_services": "Financial services and insurance",
    "healthcare": "Healthcare and life sciences",
    "technology": "Technology and software",
    "media": "Media and entertainment",
    "travel_hospitality": "Travel and hospitality",
    "education": "Education",
    "public_sector": "Government and public sector",
    "nonprofit": "Non-profit and associations",
    "professional_services": "Professional services and agencies",
    "manufacturing": "Manufacturing and industry",
}

#: Size bands by number of employees.
SIZE_BANDS: dict[str, str] = {
    "1-49": "1 to 49 employees",
    "50-249": "50 to 249 employees",
    "250-999": "250 to 999 employees",
    "1000-4999": "1,000 to 4,999 employees",
    "5000+": "5,000 employees or more",
}

REGIONS: dict[str, str] = {
    "europe": "Europe",
    "north_america": "North America",
    "latin_america": "Latin America",
    "asia_pacific": "Asia-Pacific",
    "middle_east_africa": "Middle East and Africa",
    "global": "Global (several regions)",
}

#: No benchmark group smaller than this is ever shown or exported (privacy of each answer).
MIN_GROUP = 5

#: The quantiles a benchmark pack holds for each group.
QUANTILES: tuple[tuple[str, float], ...] = (
    ("p10", 0.10), ("p25", 0.25), ("p50", 0.50), ("p75", 0.75), ("p90", 0.90),
)

#: Name of the pseudo-dimension that carries the overall score in benchmark packs.
OVERALL = "overall"

#: Facts the workspace's data can give about a dimension (computed by the service).
EVIDENCE_SOURCES: dict[str, tuple[str, str]] = {
    # id: (what it is, unit)
    "response_rate": ("of audience messages answered (response rate)", "percent"),
    "comments_per_post": ("comments per post on own accounts", "ratio"),
    "brand_mentions": ("brand mentions held by listening", "count"),
    "functions_posting": ("business functions whose accounts posted", "count"),
    "hr_accounts_posting": ("HR / employer-brand accounts that posted", "count"),
    "social_conversion_rate": ("of all conversions attributed to social", "percent"),
    "web_analytics": ("accounts with web sessions from social tracked", "count"),
    "paid_social": ("accounts with paid social spend recorded", "count"),
}


def stage_name(stage: int) -> str:
    return STAGES[stage - 1]


def stage_for(score: float) -> int:
    """Place a 0-100 score on the five stages: 0-19 Listen ... 80-100 Transform.

    Answer levels 1..5 score 0, 25, 50, 75, 100, so an organisation that answers every question
    at level k lands exactly on stage k.
    """
    if math.isnan(score) or score < 0 or score > 100:
        raise ValueError(f"score {score} is outside 0-100")
    return min(5, int(score // 20) + 1)


def level_score(level: int) -> float:
    """The 0-100 score of one answer level (1 -> 0, 5 -> 100)."""
    return (level - 1) * 25.0


# --- questionnaire ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRule:
    """How a fact from the data supports an answer.

    ``min_for_level[k]`` is the smallest value of the source that makes level ``k`` plausible;
    the supported level is the highest ``k`` whose minimum is met (level 1 is always supported).
    An answer more than one level above the supported level is flagged as overstated; with
    ``understate`` set, an answer more than one level below is flagged too.
    """

    source: str
    min_for_level: Mapping[int, float]
    understate: bool = False

    def supported_level(self, value: float) -> int:
        level = 1
        for k in range(2, 6):
            threshold = self.min_for_level.get(k)
            if threshold is not None and value >= threshold:
                level = k
        return level


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    text: str
    seed: str
    anchors: tuple[str, ...]  # five texts, level 1..5
    evidence: EvidenceRule | None = None

    def anchor(self, level: int) -> str:
        return self.anchors[level - 1]


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    description: str
    seed: str


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    title: str
    dimensions: tuple[Dimension, ...]
    questions: tuple[Question, ...]

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise InvalidInput(f"dimension: unknown dimension {dim_id!r}")

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise InvalidInput(f"question: unknown question {qid!r}")

    def questions_of(self, dim_id: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.dimension == dim_id)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)


@dataclass(frozen=True)
class Recommendation:
    id: str
    dimension: str
    title: str
    action: str
    seed: str
    goal_template: str
    max_stage: int = 5  # shown while the dimension is at or below this stage


def _req(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(entry, Mapping):
        raise CatalogueError(f"{where}: must be a mapping")
    value = entry.get(key)
    if value is None or value == "":
        raise CatalogueError(f"{where}: missing required field {key!r}")
    return value


def _evidence(raw: Any, where: str) -> EvidenceRule | None:
    if raw is None:
        return None
    source = _req(raw, "source", f"{where} evidence")
    if source not in EVIDENCE_SOURCES:
        raise CatalogueError(
            f"{where} evidence: unknown source {source!r}; use one of {', '.join(EVIDENCE_SOURCES)}"
        )
    mins = _req(raw, "min_for_level", f"{where} evidence")
    if not isinstance(mins, Mapping) or not mins:
        raise CatalogueError(f"{where} evidence: min_for_level must map levels 2-5 to numbers")
    parsed: dict[int, float] = {}
    for k, v in mins.items():
        if not isinstance(k, int) or not 2 <= k <= 5 or isinstance(v, bool) \
                or not isinstance(v, int | float):
            raise CatalogueError(
                f"{where} evidence: min_for_level entry {k!r}: {v!r} must be level 2-5: number"
            )
        parsed[k] = float(v)
    levels = sorted(parsed)
    if any(parsed[a] > parsed[b] for a, b in zip(levels, levels[1:], strict=False)):
        raise CatalogueError(f"{where} evidence: min_for_level must not decrease with the level")
    return EvidenceRule(source, parsed, bool(raw.get("understate", False)))


def load_questionnaire(doc: Any, source: str = "maturity.yaml") -> Questionnaire:
    """Validate the questionnaire document; every error names the file and the entry."""
    if not isinstance(doc, Mapping):
        raise CatalogueError(f"{source}: must be a mapping with id, version, dimensions, questions")
    qid_ = str(_req(doc, "id", source))
    version = _req(doc, "version", source)
    if not isinstance(version, int) or version < 1:
        raise CatalogueError(f"{source}: version must be a positive integer")
    raw_dims = _req(doc, "dimensions", source)
    raw_qs = _req(doc, "questions", source)
    if not isinstance(raw_dims, Mapping) or not isinstance(raw_qs, Mapping):
        raise CatalogueError(f"{source}: dimensions and questions must be mappings by id")
    dims = tuple(
        Dimension(
            id=str(did),
            name=str(_req(d, "name", f"{source}: dimension {did}")),
            description=str(_req(d, "description", f"{source}: dimension {did}")),
            seed=str(_req(d, "seed", f"{source}: dimension {did}")),
        )
        for did, d in raw_dims.items()
    )
    if len(dims) != 8:
        raise CatalogueError(f"{source}: needs the 8 dimensions of DOMAIN.md, found {len(dims)}")
    dim_ids = {d.id for d in dims}
    questions: list[Question] = []
    for qid, q in raw_qs.items():
        where = f"{source}: question {qid}"
        dim = str(_req(q, "dimension", where))
        if dim not in dim_ids:
            raise CatalogueError(f"{where}: unknown dimension {dim!r}")
        anchors = _req(q, "anchors", where)
        if not isinstance(anchors, Sequence) or isinstance(anchors, str) or len(anchors) != 5:
            raise CatalogueError(f"{where}: anchors must list exactly 5 answers (levels 1-5)")
        for i, a in enumerate(anchors, start=1):
            if not isinstance(a, str) or len(a.strip()) < 10:
                raise CatalogueError(f"{where}: anchor {i} must say concretely what is true")
        questions.append(
            Question(
                id=str(qid),
                dimension=dim,
                text=str(_req(q, "text", where)),
                seed=str(_req(q, "seed", where)),
                anchors=tuple(a.strip() for a in anchors),
                evidence=_evidence(q.get("evidence"), where),
            )
        )
    if not 30 <= len(questions) <= 45:
        raise CatalogueError(f"{source}: needs 30 to 45 questions, found {len(questions)}")
    for d in dims:
        if not any(q.dimension == d.id for q in questions):
            raise CatalogueError(f"{source}: dimension {d.id} has no question")
    return Questionnaire(
        id=qid_,
        version=version,
        title=str(doc.get("title", qid_)),
        dimensions=dims,
        questions=tuple(questions),
    )


def load_recommendations(
    doc: Any,
    questionnaire: Questionnaire,
    goal_metrics: Mapping[str, Iterable[str]],
    source: str = "maturity_recommendations.yaml",
) -> tuple[Recommendation, ...]:
    """Validate recommendations; each links to a goal template ``goal_type:metric``.

    ``goal_metrics`` maps each goal type to its metrics (goal_types.yaml), so a template id
    that names an unknown goal type or a metric the type does not track fails at load.
    """
    raw = doc.get("recommendations") if isinstance(doc, Mapping) else None
    if not isinstance(raw, Mapping) or not raw:
        raise CatalogueError(f"{source}: needs a top-level 'recommendations' mapping")
    dim_ids = {d.id for d in questionnaire.dimensions}
    out: list[Recommendation] = []
    for rid, r in raw.items():
        where = f"{source}: recommendation {rid}"
        dim = str(_req(r, "dimension", where))
        if dim not in dim_ids:
            raise CatalogueError(f"{where}: unknown dimension {dim!r}")
        template = str(_req(r, "goal_template", where))
        gtype, _, metric = template.partition(":")
        if gtype not in goal_metrics:
            raise CatalogueError(
                f"{where}: goal_template {template!r}: unknown goal type {gtype!r}"
            )
        if metric not in set(goal_metrics[gtype]):
            raise CatalogueError(
                f"{where}: goal_template {template!r}: goal type {gtype} does not track {metric!r}"
            )
        max_stage = r.get("max_stage", 5)
        if not isinstance(max_stage, int) or not 1 <= max_stage <= 5:
            raise CatalogueError(f"{where}: max_stage must be 1-5")
        out.append(
            Recommendation(
                id=str(rid),
                dimension=dim,
                title=str(_req(r, "title", where)),
                action=str(_req(r, "action", where)),
                seed=str(_req(r, "seed", where)),
                goal_template=template,
                max_stage=max_stage,
            )
        )
    missing = dim_ids - {r.dimension for r in out}
    if missing:
        raise CatalogueError(f"{source}: no recommendation for {', '.join(sorted(missing))}")
    return tuple(out)


# --- organisation profile --------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    industry: str
    size_band: str
    region: str
    name: str = ""

    @property
    def label(self) -> str:
        return f"{INDUSTRIES[self.industry]}, {SIZE_BANDS[self.size_band]}, {REGIONS[self.region]}"


def _pick(value: Any, allowed: Mapping[str, str], where: str) -> str:
    text = str(value).strip().lower() if value is not None else ""
    if text not in allowed:
        raise InvalidInput(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return text


def check_profile(
    industry: Any, size_band: Any, region: Any, name: str = "", where: str = "organisation"
) -> Profile:
    """Validate an organisation profile; errors name the field (``organisation.industry``)."""
    return Profile(
        industry=_pick(industry, INDUSTRIES, f"{where}.industry"),
        size_band=_pick(size_band, SIZE_BANDS, f"{where}.size_band"),
        region=_pick(region, REGIONS, f"{where}.region"),
        name=str(name or "").strip(),
    )


# --- answers ---------------------------------------------------------------------------------


def check_answer(questionnaire: Questionnaire, qid: str, value: Any, where: str) -> int:
    """One answer: a level 1-5 for a known question."""
    if qid not in questionnaire.question_ids:
        raise InvalidInput(f"{where}.{qid}: unknown question (see `socialpulse assess --template`)")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(f"{where}.{qid}: {value!r} is not a level; use 1 to 5")
    try:
        level = int(value)
    except ValueError:
        raise InvalidInput(f"{where}.{qid}: {value!r} is not a level; use 1 to 5") from None
    if not 1 <= level <= 5:
        raise InvalidInput(f"{where}.{qid}: {level} is out of range; use 1 to 5")
    return level


@dataclass(frozen=True)
class AnswersFile:
    answers: dict[str, int]
    profile: Profile | None
    version: int


def parse_answers(doc: Any, questionnaire: Questionnaire, source: str) -> AnswersFile:
    """Validate an answers document (YAML/JSON already parsed): every question, levels 1-5."""
    if not isinstance(doc, Mapping):
        raise InvalidInput(f"{source}: must be a mapping with 'answers' (see --template)")
    version = doc.get("version", questionnaire.version)
    if not isinstance(version, int) or version != questionnaire.version:
        raise InvalidInput(
            f"{source}: version: {version!r} does not match questionnaire version "
            f"{questionnaire.version}; write a new template with `socialpulse assess --template`"
        )
    raw = doc.get("answers")
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{source}: answers: missing or not a mapping of question id to level")
    answers: dict[str, int] = {}
    for qid, value in raw.items():
        if value is None:
            continue
        answers[str(qid)] = check_answer(questionnaire, str(qid), value, f"{source}: answers")
    missing = [q for q in questionnaire.question_ids if q not in answers]
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        shown = ", ".join(missing[:5]) + more
        raise InvalidInput(f"{source}: answers: missing answer for {shown}")
    profile = None
    org = doc.get("organisation")
    if org is not None:
        if not isinstance(org, Mapping):
            raise InvalidInput(f"{source}: organisation: must be a mapping")
        profile = check_profile(
            org.get("industry"), org.get("size_band"), org.get("region"),
            str(org.get("name") or ""), f"{source}: organisation",
        )
    return AnswersFile(answers=answers, profile=profile, version=questionnaire.version)


# --- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    name: str
    score: float
    stage: int
    answered: int
    questions: int

    @property
    def stage_name(self) -> str:
        return stage_name(self.stage)


@dataclass(frozen=True)
class Scores:
    """Per-dimension scores and the overall stage, as the mean and as the weakest link."""

    dimensions: tuple[DimensionScore, ...]
    overall_score: float
    mean_stage: int
    weakest_stage: int
    weakest: tuple[str, ...]  # dimension ids at the weakest stage

    def by_dimension(self) -> dict[str, float]:
        return {d.dimension: d.score for d in self.dimensions}

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall_score": round(self.overall_score, 1),
            "mean_stage": self.mean_stage,
            "mean_stage_name": stage_name(self.mean_stage),
            "weakest_stage": self.weakest_stage,
            "weakest_stage_name": stage_name(self.weakest_stage),
            "weakest_dimensions": list(self.weakest),
            "dimensions": [
                {"dimension": d.dimension, "name": d.name, "score": round(d.score, 1),
                 "stage": d.stage, "stage_name": d.stage_name}
                for d in self.dimensions
            ],
        }


def score_answers(questionnaire: Questionnaire, answers: Mapping[str, int]) -> Scores:
    """Score complete answers: a dimension's score is the mean of its answers' level scores.

    The overall score is the mean of the dimension scores (each dimension weighs the same,
    however many questions it has); the mean stage is that score's stage; the weakest link is
    the lowest dimension stage - an organisation is as mature as its weakest dimension.
    """
    dims: list[DimensionScore] = []
    for d in questionnaire.dimensions:
        qs = questionnaire.questions_of(d.id)
        levels = [answers[q.id] for q in qs if q.id in answers]
        if len(levels) != len(qs):
            lacking = [q.id for q in qs if q.id not in answers]
            raise InvalidInput(f"answers: missing answer for {', '.join(lacking)}")
        score = sum(level_score(v) for v in levels) / len(levels)
        dims.append(DimensionScore(d.id, d.name, score, stage_for(score), len(levels), len(qs)))
    overall = sum(d.score for d in dims) / len(dims)
    weakest_stage = min(d.stage for d in dims)
    return Scores(
        dimensions=tuple(dims),
        overall_score=overall,
        mean_stage=stage_for(overall),
        weakest_stage=weakest_stage,
        weakest=tuple(d.dimension for d in dims if d.stage == weakest_stage),
    )


@dataclass(frozen=True)
class Change:
    dimension: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


def progress(before: Mapping[str, float], after: Mapping[str, float]) -> list[Change]:
    """Change per dimension since a previous assessment (dimension ids are stable across
    questionnaire versions, so scores of different versions stay comparable)."""
    return [Change(d, before[d], after[d]) for d in after if d in before]


# --- benchmarks ------------------------------------------------------------------------------


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default), of already sorted values."""
    if not sorted_values:
        raise ValueError("quantile of no values")
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def quantiles(values: Iterable[float]) -> dict[str, float]:
    s = sorted(values)
    return {name: round(quantile(s, q), 2) for name, q in QUANTILES}


def percentile_rank(value: float, peers: Sequence[float]) -> float | None:
    """Share of peers below the value (ties count half), 0-100; None for fewer than 5 peers."""
    if len(peers) < MIN_GROUP:
        return None
    below = sum(1 for p in peers if p < value)
    equal = sum(1 for p in peers if p == value)
    return 100.0 * (below + 0.5 * equal) / len(peers)


def percentile_from_quantiles(value: float, qs: Mapping[str, float]) -> float:
    """Where a score sits in a group known only by its quantiles.

    Piecewise-linear through (0, 0), the group's (p10, 10) ... (p90, 90) and (100, 100): an
    approximation, since a pack holds aggregates only, never the answers themselves.
    """
    points = [(0.0, 0.0)] + [(float(qs[name]), q * 100) for name, q in QUANTILES] + [(100.0, 100.0)]
    # equal quantiles (many organisations at one score): take the middle of the tied ranks
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x0 <= value <= x1:
            if x1 == x0:
                ties = [y for x, y in points if x == value]
                return (min(ties) + max(ties)) / 2
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return 100.0 if value > 100 else 0.0


@dataclass(frozen=True)
class BenchmarkGroup:
    industry: str
    size_band: str  # a size band, or "all" for the whole industry
    dimension: str  # a dimension id or OVERALL
    n: int
    quantiles: Mapping[str, float]


@dataclass(frozen=True)
class Comparison:
    """An organisation's score against one benchmark group, or why it is hidden."""

    dimension: str
    score: float
    source: str  # "pack: <name>" or "installation"
    group: str  # human label of the group
    n: int
    percentile: float | None = None
    median: float | None = None
    quantiles: Mapping[str, float] = field(default_factory=dict)
    hidden: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "score": round(self.score, 1),
            "source": self.source,
            "group": self.group,
            "n": self.n if self.hidden is None else None,
            "percentile": None if self.percentile is None else round(self.percentile, 1),
            "median": self.median,
            "quantiles": dict(self.quantiles),
            "hidden": self.hidden,
        }


def hidden_reason(n: int) -> str:
    return (
        f"hidden: only {n} organisation{'s' if n != 1 else ''} in this group; benchmarks need at "
        f"least {MIN_GROUP} so that no single organisation's answers can be read from them"
    )


def compare_with_group(
    dimension: str, score: float, group: BenchmarkGroup | None, source: str, label: str
) -> Comparison:
    if group is None:
        return Comparison(dimension, score, source, label, 0,
                          hidden=f"hidden: the benchmark has no group for {label}")
    if group.n < MIN_GROUP:
        return Comparison(dimension, score, source, label, group.n, hidden=hidden_reason(group.n))
    return Comparison(
        dimension, score, source, label, group.n,
        percentile=percentile_from_quantiles(score, group.quantiles),
        median=group.quantiles.get("p50"),
        quantiles=dict(group.quantiles),
    )


def compare_with_peers(
    dimension: str, score: float, peers: Sequence[float], label: str
) -> Comparison:
    """Percentile against other organisations of this installation (n >= 5 or hidden)."""
    if not peers:
        return Comparison(dimension, score, "installation", label, 0,
                          hidden="hidden: no other organisation of this industry has been "
                                 "assessed in this installation yet")
    if len(peers) < MIN_GROUP:
        return Comparison(dimension, score, "installation", label, len(peers),
                          hidden=hidden_reason(len(peers)))
    return Comparison(
        dimension, score, "installation", label, len(peers),
        percentile=percentile_rank(score, peers),
        median=round(quantile(sorted(peers), 0.5), 2),
        quantiles=quantiles(peers),
    )


@dataclass(frozen=True)
class OrgScores:
    """One organisation's latest scores, as aggregation input (never exported as such)."""

    industry: str
    size_band: str
    scores: Mapping[str, float]  # dimension id (and OVERALL) -> score


def aggregate(orgs: Sequence[OrgScores], dimensions: Sequence[str]) -> tuple[
    list[BenchmarkGroup], int
]:
    """Aggregate organisations into industry x size band x dimension groups.

    Returns the groups with at least :data:`MIN_GROUP` organisations and the number of groups
    left out because they were smaller. Industry-wide groups (size band "all") are added so a
    small size band can still be compared with its industry.
    """
    buckets: dict[tuple[str, str], list[OrgScores]] = {}
    for o in orgs:
        buckets.setdefault((o.industry, o.size_band), []).append(o)
        buckets.setdefault((o.industry, "all"), []).append(o)
    groups: list[BenchmarkGroup] = []
    suppressed = 0
    for (industry, band), members in sorted(buckets.items()):
        for dim in [*dimensions, OVERALL]:
            values = [m.scores[dim] for m in members if dim in m.scores]
            if not values:
                continue
            if len(values) < MIN_GROUP:
                suppressed += 1
                continue
            groups.append(BenchmarkGroup(industry, band, dim, len(values), quantiles(values)))
    return groups, suppressed


PACK_FORMAT = "socialpulse-maturity-benchmark"


@dataclass(frozen=True)
class Pack:
    name: str
    label: str
    synthetic: bool
    description: str
    questionnaire_version: int
    groups: tuple[BenchmarkGroup, ...]


def parse_pack(doc: Any, source: str, dimensions: Sequence[str]) -> Pack:
    """Validate a benchmark pack: aggregates only (quantiles and n), never raw answers."""
    if not isinstance(doc, Mapping):
        raise InvalidInput(f"{source}: must be a mapping (format: {PACK_FORMAT})")
    if doc.get("format") != PACK_FORMAT:
        raise InvalidInput(f"{source}: format: expected {PACK_FORMAT!r}, got {doc.get('format')!r}")
    name = str(doc.get("name") or "").strip()
    if not name:
        raise InvalidInput(f"{source}: name: missing")
    allowed_keys = {"format", "format_version", "name", "label", "synthetic", "description",
                    "questionnaire_version", "created", "groups"}
    extra = sorted(set(doc) - allowed_keys)
    if extra:
        raise InvalidInput(
            f"{source}: {extra[0]}: not allowed in a benchmark pack (aggregates only: "
            f"{', '.join(sorted(allowed_keys))})"
        )
    raw_groups = doc.get("groups")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise InvalidInput(f"{source}: groups: must be a non-empty list")
    dims = {*dimensions, OVERALL}
    groups: list[BenchmarkGroup] = []
    seen: set[tuple[str, str, str]] = set()
    group_keys = {"industry", "size_band", "dimension", "n", "quantiles"}
    for i, g in enumerate(raw_groups, start=1):
        where = f"{source}: groups[{i}]"
        if not isinstance(g, Mapping):
            raise InvalidInput(f"{where}: must be a mapping")
        extra = sorted(set(g) - group_keys)
        if extra:
            raise InvalidInput(f"{where}.{extra[0]}: not allowed (aggregates only: "
                               f"{', '.join(sorted(group_keys))})")
        industry = _pick(g.get("industry"), INDUSTRIES, f"{where}.industry")
        band_raw = str(g.get("size_band", "")).strip().lower()
        band = band_raw if band_raw == "all" else _pick(band_raw, SIZE_BANDS, f"{where}.size_band")
        dim = str(g.get("dimension", ""))
        if dim not in dims:
            raise InvalidInput(
                f"{where}.dimension: {dim!r} is not one of {', '.join(sorted(dims))}"
            )
        n = g.get("n")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidInput(f"{where}.n: {n!r} must be a positive integer")
        qs = g.get("quantiles")
        if not isinstance(qs, Mapping):
            raise InvalidInput(f"{where}.quantiles: must map {', '.join(q for q, _ in QUANTILES)}")
        parsed: dict[str, float] = {}
        for qname, _ in QUANTILES:
            v = qs.get(qname)
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 100:
                raise InvalidInput(f"{where}.quantiles.{qname}: {v!r} must be a number 0-100")
            parsed[qname] = float(v)
        values = [parsed[q] for q, _ in QUANTILES]
        if values != sorted(values):
            raise InvalidInput(f"{where}.quantiles: must not decrease from p10 to p90")
        key = (industry, band, dim)
        if key in seen:
            raise InvalidInput(f"{where}: duplicate group {industry} x {band} x {dim}")
        seen.add(key)
        groups.append(BenchmarkGroup(industry, band, dim, n, parsed))
    qv = doc.get("questionnaire_version", 1)
    if not isinstance(qv, int):
        raise InvalidInput(f"{source}: questionnaire_version: must be an integer")
    synthetic = bool(doc.get("synthetic", False))
    label = str(doc.get("label") or name)
    if synthetic and "synthetic" not in label.lower():
        label = f"{label} (synthetic demo data)"
    return Pack(name, label, synthetic, str(doc.get("description") or ""), qv, tuple(groups))


def pack_document(pack: Pack, created: str) -> dict[str, Any]:
    """The exportable form of a pack: groups below MIN_GROUP are never written."""
    return {
        "format": PACK_FORMAT,
        "format_version": 1,
        "name": pack.name,
        "label": pack.label,
        "synthetic": pack.synthetic,
        "description": pack.description,
        "questionnaire_version": pack.questionnaire_version,
        "created": created,
        "groups": [
            {"industry": g.industry, "size_band": g.size_band, "dimension": g.dimension,
             "n": g.n, "quantiles": dict(g.quantiles)}
            for g in pack.groups
            if g.n >= MIN_GROUP
        ],
    }


def find_group(
    groups: Iterable[BenchmarkGroup], industry: str, size_band: str, dimension: str
) -> tuple[BenchmarkGroup | None, str]:
    """The organisation's own industry x size band group, else its industry as a whole.

    Returns the group and its label; the fallback is used when the exact group is missing or
    too small, so one small cell does not hide the whole comparison.
    """
    by_key = {(g.industry, g.size_band, g.dimension): g for g in groups}
    exact = by_key.get((industry, size_band, dimension))
    label = f"{INDUSTRIES[industry]}, {SIZE_BANDS[size_band]}"
    if exact is not None and exact.n >= MIN_GROUP:
        return exact, label
    whole = by_key.get((industry, "all", dimension))
    if whole is not None and whole.n >= MIN_GROUP:
        return whole, f"{INDUSTRIES[industry]}, all sizes"
    return exact or whole, label


# --- evidence --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """A fact from the workspace's data: None when the data cannot say."""

    source: str
    value: float | None
    shown: str  # the value as people read it, e.g. "12.0%"
    detail: str = ""

    @property
    def description(self) -> str:
        return EVIDENCE_SOURCES[self.source][0]


@dataclass(frozen=True)
class Finding:
    question: str
    dimension: str
    level: int
    answer: str
    evidence: Evidence
    supported_level: int | None
    status: str  # "agrees", "overstated", "understated", "no data"
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question, "dimension": self.dimension, "level": self.level,
            "answer": self.answer, "source": self.evidence.source,
            "value": self.evidence.value, "shown": self.evidence.shown,
            "supported_level": self.supported_level, "status": self.status,
            "message": self.message,
        }


def check_evidence(
    questionnaire: Questionnaire, answers: Mapping[str, int], facts: Mapping[str, Evidence]
) -> list[Finding]:
    """Set each answer that has an evidence rule beside the data; flag disagreements.

    An answer is *overstated* when it is two or more levels above what the data supports
    ("you answered 'we reply to most comments'; the data shows 12% answered"), *understated*
    (only for rules that allow it) when two or more below.
    """
    out: list[Finding] = []
    for q in questionnaire.questions:
        if q.evidence is None or q.id not in answers:
            continue
        level = answers[q.id]
        fact = facts.get(q.evidence.source)
        if fact is None or fact.value is None:
            ev = fact or Evidence(q.evidence.source, None, "n/a")
            out.append(Finding(q.id, q.dimension, level, q.anchor(level), ev, None, "no data",
                               f"the data held cannot show {ev.description}"))
            continue
        supported = q.evidence.supported_level(fact.value)
        answer = q.anchor(level)
        if level - supported >= 2:
            status = "overstated"
            message = (f"you answered '{answer}'; the data shows {fact.shown} "
                       f"{fact.description}, which supports level {supported} "
                       f"({stage_name(supported)})")
        elif q.evidence.understate and supported - level >= 2:
            status = "understated"
            message = (f"you answered '{answer}'; the data shows {fact.shown} "
                       f"{fact.description}, which supports level {supported} - you may be "
                       "doing better than you think")
        else:
            status = "agrees"
            message = f"the data ({fact.shown} {fact.description}) is consistent with the answer"
        out.append(Finding(q.id, q.dimension, level, answer, fact, supported, status, message))
    return out


# --- recommendations -------------------------------------------------------------------------


def recommend(
    scores: Scores, recommendations: Sequence[Recommendation], dimensions: int = 3, per: int = 2
) -> list[Recommendation]:
    """Next actions for the weakest dimensions (lowest score first), from the seeds' lists.

    A recommendation applies while its dimension is at or below its ``max_stage``; dimensions
    already at Transform get none.
    """
    ranked = sorted(scores.dimensions, key=lambda d: (d.score, d.dimension))
    out: list[Recommendation] = []
    for d in ranked:
        if d.stage >= 5:
            continue
        fits = [r for r in recommendations if r.dimension == d.dimension and d.stage <= r.max_stage]
        if not fits:
            continue
        out.extend(fits[:per])
        dimensions -= 1
        if dimensions == 0:
            break
    return out
