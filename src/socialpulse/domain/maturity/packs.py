"""Benchmark packs: the exchange format of aggregates (quantiles and n per industry x size band
x dimension group, never answers), read and written with every group below `MIN_GROUP` refused
on the way out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput
from .benchmark import BenchmarkGroup
from .vocabulary import INDUSTRIES, MIN_GROUP, OVERALL, QUANTILES, SIZE_BANDS, pick

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
    for i, g in enumerate(raw_groups, start=1):
        group = _parse_group(g, f"{source}: groups[{i}]", dims)
        key = (group.industry, group.size_band, group.dimension)
        if key in seen:
            raise InvalidInput(f"{source}: groups[{i}]: duplicate group "
                               f"{group.industry} x {group.size_band} x {group.dimension}")
        seen.add(key)
        groups.append(group)
    qv = doc.get("questionnaire_version", 1)
    if not isinstance(qv, int):
        raise InvalidInput(f"{source}: questionnaire_version: must be an integer")
    synthetic = bool(doc.get("synthetic", False))
    label = str(doc.get("label") or name)
    if synthetic and "synthetic" not in label.lower():
        label = f"{label} (synthetic demo data)"
    return Pack(name, label, synthetic, str(doc.get("description") or ""), qv, tuple(groups))


_GROUP_KEYS = {"industry", "size_band", "dimension", "n", "quantiles"}


def _parse_group(g: Any, where: str, dims: set[str]) -> BenchmarkGroup:
    """One group of a pack: known industry, size band (or "all") and dimension, n >= 1 and
    non-decreasing quantiles 0-100; any other key is refused (aggregates only)."""
    if not isinstance(g, Mapping):
        raise InvalidInput(f"{where}: must be a mapping")
    extra = sorted(set(g) - _GROUP_KEYS)
    if extra:
        raise InvalidInput(f"{where}.{extra[0]}: not allowed (aggregates only: "
                           f"{', '.join(sorted(_GROUP_KEYS))})")
    industry = pick(g.get("industry"), INDUSTRIES, f"{where}.industry")
    band_raw = str(g.get("size_band", "")).strip().lower()
    band = band_raw if band_raw == "all" else pick(band_raw, SIZE_BANDS, f"{where}.size_band")
    dim = str(g.get("dimension", ""))
    if dim not in dims:
        raise InvalidInput(
            f"{where}.dimension: {dim!r} is not one of {', '.join(sorted(dims))}"
        )
    n = g.get("n")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInput(f"{where}.n: {n!r} must be a positive integer")
    return BenchmarkGroup(industry, band, dim, n, _parse_quantiles(g.get("quantiles"), where))


def _parse_quantiles(qs: Any, where: str) -> dict[str, float]:
    """p10 ... p90 of a group: numbers 0-100 that do not decrease."""
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
    return parsed


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
