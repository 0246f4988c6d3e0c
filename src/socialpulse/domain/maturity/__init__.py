"""The Social Maturity Assessment, pure: questionnaire, scoring, stages, benchmarks, evidence.

Seed 003 gives the five stages (Listen, Participate, Scale, Integrate, Transform); seeds 000-002
give what mature organisations do. The questionnaire is data (``catalogue/maturity.yaml``);
this package validates it (`questionnaire`), reads answers and profiles (`answers`, `profile`),
scores answers and places scores on the stages (`scoring`, `vocabulary`), compares them with
peers (`benchmark`, `packs`: never showing a group of fewer than `MIN_GROUP` organisations),
checks answers against evidence from the workspace's own data (`evidence`) and proposes next
actions (`recommendations`); `records` are the stored assessments and packs as values.
Nothing here reads files, the clock or a database, so every rule can be tested with plain
values and reused by the CLI, the API and the pages.

The public names are re-exported here, so callers write ``from socialpulse.domain import
maturity as mat`` and ``mat.score_answers(...)`` without knowing which module holds what.
"""

from .answers import AnswersFile, check_answer, parse_answers
from .benchmark import (
    BenchmarkGroup,
    Comparison,
    OrgScores,
    aggregate,
    compare_with_group,
    compare_with_peers,
    find_group,
    hidden_reason,
    percentile_from_quantiles,
    percentile_rank,
    quantile,
    quantiles,
)
from .evidence import Evidence, Finding, check_evidence
from .packs import PACK_FORMAT, Pack, pack_document, parse_pack
from .profile import Profile, check_profile
from .questionnaire import Dimension, EvidenceRule, Question, Questionnaire, load_questionnaire
from .recommendations import Recommendation, load_recommendations, recommend
from .records import Assessment, AuditRun, Baseline, StoredPack, scores_of, stored_scores
from .scoring import Change, DimensionScore, Scores, progress, score_answers
from .vocabulary import (
    EVIDENCE_SOURCES,
    INDUSTRIES,
    MIN_GROUP,
    OVERALL,
    QUANTILES,
    REGIONS,
    SIZE_BANDS,
    STAGES,
    level_score,
    stage_for,
    stage_name,
)

__all__ = [
    "EVIDENCE_SOURCES", "INDUSTRIES", "MIN_GROUP", "OVERALL", "PACK_FORMAT", "QUANTILES",
    "REGIONS", "SIZE_BANDS", "STAGES", "AnswersFile", "Assessment", "AuditRun", "Baseline",
    "BenchmarkGroup", "Change", "Comparison",
    "Dimension", "DimensionScore", "Evidence", "EvidenceRule", "Finding", "OrgScores", "Pack",
    "Profile", "Question", "Questionnaire", "Recommendation", "Scores", "StoredPack", "aggregate",
    "check_answer", "check_evidence", "check_profile", "compare_with_group",
    "compare_with_peers", "find_group", "hidden_reason", "level_score", "load_questionnaire",
    "load_recommendations", "pack_document", "parse_answers", "parse_pack",
    "percentile_from_quantiles", "percentile_rank", "progress", "quantile", "quantiles",
    "recommend", "score_answers", "scores_of", "stage_for", "stage_name", "stored_scores",
]
