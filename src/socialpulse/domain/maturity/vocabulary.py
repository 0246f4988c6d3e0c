"""The fixed vocabularies of the assessment (stages, industries, size bands, regions, evidence
sources, benchmark quantiles) and the rules placing a score on the five stages.

Every other maturity module reads these; they change only with the questionnaire's design."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInput

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


def pick(value: Any, allowed: Mapping[str, str], where: str) -> str:
    """``value`` as one of the ``allowed`` ids (case and spaces ignored), or an `InvalidInput`
    naming the field and the choices: profiles and benchmark packs name industries alike."""
    text = str(value).strip().lower() if value is not None else ""
    if text not in allowed:
        raise InvalidInput(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return text
