"""How a goal's metric is measured over a window: in words, and how its weekly values combine
into a window value (summed, last, or averaged) for the history and the forecast."""

from __future__ import annotations

import re
from typing import Literal

from .. import formula as fx
from ..metrics import Catalogue, Metric


def measure_words(catalogue: Catalogue, metric: Metric, variant: str | None) -> str:
    """How a metric's value over a window is computed, in words (``sum of post reach``,
    ``sum of post engagements / sum of post impressions x 100 (sums first, then divide)``)."""
    v = metric.variant(variant)

    def name(ref: str) -> str:
        m = catalogue.measures[ref]
        label = re.sub(r"\s*\((end|start)\)$", "", m.name.lower())
        if m.dataset == "posts" and m.agg == "sum" and not label.startswith("post"):
            label = f"post {label}"
        if v.kind == "mean_of_post_ratios":
            return label
        return {"sum": f"sum of {label}", "count": f"number of {label}",
                "end": f"{label} at the window's end",
                "start": f"{label} just before the window"}.get(m.agg, label)

    text = fx.render(v.formula, name)
    if v.kind == "mean_of_post_ratios":
        text = f"mean over posts of ({text})"
    if v.is_rate:
        text = f"{text} x 100"
    if "/" in fx.render(v.formula) and v.kind != "mean_of_post_ratios":
        text += " (sums first, then divide)"
    return text


def window_kind(catalogue: Catalogue, metric: Metric, variant: str | None) -> Literal[
        "sum", "last", "mean"]:
    """How weekly values of the metric combine over a longer window.

    Counts of additive inputs add up; a count of stock inputs (followers at the end) is the
    last value, unless it is a difference of end and start values (net growth adds up).
    A rate of a flow over a stock (shares / followers, net growth / followers at the start)
    also adds up: a quarter's shares over the followers are about the sum of the weekly
    rates. Other rates, ratios, currency, durations and scores (a flow over a flow, such as
    engagements / impressions) are averaged.
    """
    v = metric.variant(variant)
    aggs = {catalogue.measures[n].agg for n in v.inputs}
    stock = {"end", "start"}
    if v.unit == "count":
        if aggs <= {"sum", "count"} or stock <= aggs:
            return "sum"
        return "last"
    if v.kind == "mean_of_post_ratios":
        return "mean"
    node = v.formula
    while isinstance(node, fx.BinOp) and node.op in "*/" and isinstance(node.right, fx.Num):
        node = node.left  # "x / y * 1000": the constant does not change how weeks combine
    if isinstance(node, fx.BinOp) and node.op == "/":
        num = {catalogue.measures[n].agg for n in fx.refs(node.left)}
        den = {catalogue.measures[n].agg for n in fx.refs(node.right)}
        if den and den <= stock and (num <= {"sum", "count"} or stock <= num):
            return "sum"
    return "mean"
