"""The organisation profile (industry, size band, region) that places an assessment in its
benchmark group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .vocabulary import INDUSTRIES, REGIONS, SIZE_BANDS, pick


@dataclass(frozen=True)
class Profile:
    industry: str
    size_band: str
    region: str
    name: str = ""

    @property
    def label(self) -> str:
        return f"{INDUSTRIES[self.industry]}, {SIZE_BANDS[self.size_band]}, {REGIONS[self.region]}"


def check_profile(
    industry: Any, size_band: Any, region: Any, name: str = "", where: str = "organisation"
) -> Profile:
    """Validate an organisation profile; errors name the field (``organisation.industry``)."""
    return Profile(
        industry=pick(industry, INDUSTRIES, f"{where}.industry"),
        size_band=pick(size_band, SIZE_BANDS, f"{where}.size_band"),
        region=pick(region, REGIONS, f"{where}.region"),
        name=str(name or "").strip(),
    )
