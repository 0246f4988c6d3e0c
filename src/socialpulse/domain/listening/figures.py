"""Listening's per-brand figures are the catalogue's mention metrics, read brand by brand.

The catalogue defines share of voice and sentiment for the workspace's own brand
(``share_of_voice = own_mentions / mentions``, ``social_sentiment`` and its ``net`` variant).
Listening shows the same figures for every brand, competitors included. Rather than a second
definition, a figure here *is* the catalogue formula with each "own brand" measure read as
"this brand" (its condition ``is_own_brand`` becomes the grouping by brand) and every other
measure read over all brands of the period or bucket. For the own brand the two are the same
number by construction; `tests/listening` checks it.

Pure: this module only plans; the mention-queries adapter compiles the plan to SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialpulse.domain import formula as fx
from socialpulse.domain.metrics import Catalogue, Measure

#: listening figure -> (catalogue metric, variant or None for the default)
FIGURES: dict[str, tuple[str, str | None]] = {
    "share_of_voice": ("share_of_voice", None),
    "positive_share": ("social_sentiment", "positive_share"),
    "net_sentiment": ("social_sentiment", "net"),
}

OWN_CONDITION = "is_own_brand"


@dataclass(frozen=True)
class BrandMeasure:
    """A catalogue count of mentions, as listening reads it: per brand (the measure was about
    the own brand) or over all brands in the group (it was not)."""

    id: str
    where: tuple[tuple[str, str | bool], ...]
    per_brand: bool


@dataclass(frozen=True)
class BrandFigure:
    """One listening figure: its name, the catalogue metric it comes from, the formula."""

    key: str
    metric: str
    variant: str
    formula: fx.Node
    formula_text: str
    inputs: tuple[BrandMeasure, ...]


def brand_measure(m: Measure) -> BrandMeasure:
    """How listening reads a catalogue measure; only counts of mentions have a brand reading."""
    if m.dataset != "mentions" or m.agg != "count":
        raise ValueError(f"measure {m.id}: listening figures read counts of mentions only")
    own = [v for c, v in m.where if c == OWN_CONDITION]
    if own and own != [True]:
        raise ValueError(f"measure {m.id}: {OWN_CONDITION} may only be true")
    rest = tuple((c, v) for c, v in m.where if c != OWN_CONDITION)
    return BrandMeasure(m.id, rest, per_brand=bool(own))


def brand_figures(catalogue: Catalogue, keys: tuple[str, ...] = tuple(FIGURES)
                  ) -> tuple[BrandFigure, ...]:
    """The figures ``keys`` (of `FIGURES`) planned from the catalogue's definitions."""
    out = []
    for key in keys:
        metric_id, variant_id = FIGURES[key]
        metric = catalogue.metric(metric_id)
        variant = metric.variant(variant_id)
        inputs = tuple(brand_measure(m) for m in catalogue.inputs(metric, variant.id))
        out.append(BrandFigure(key, metric.id, variant.id, variant.formula,
                               variant.formula_text, inputs))
    return tuple(out)


def describe(figure: BrandFigure) -> list[str]:
    """The figure's definition in words: its formula, then how each input is read."""
    name = figure.metric + ("" if figure.variant == "default" else f":{figure.variant}")
    lines = [f"{figure.key} = {figure.formula_text}  (catalogue metric {name})"]
    for m in figure.inputs:
        cond = " and ".join(f"{c} = {str(v).lower() if isinstance(v, bool) else v}"
                            for c, v in m.where)
        scope = "this brand's mentions" if m.per_brand else "all brands' mentions"
        lines.append(f"  {m.id}: {scope}" + (f" where {cond}" if cond else ""))
    return lines
