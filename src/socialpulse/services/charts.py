"""Vega-Lite chart specs shipped as package data, filled with data and parameters.

The specs live in ``socialpulse/catalogue/charts/<name>.vl.json`` so the web pages (vega-embed in
the browser) and the PDF reports (vl-convert, server side) draw the very same chart. A spec marks
what callers may change with placeholders: a string value ``"{{param}}"`` is replaced by the
parameter's value (any JSON type), and ``"... {{param}} ..."`` inside a longer string by its text.
A placeholder whose value is ``None`` removes its key, and an object whose ``field`` was removed
goes away whole, so optional parts (a colour channel, a custom scale) disappear cleanly instead of
leaving an invalid empty channel. Defaults, and the list of
accepted parameters, sit in the spec's ``usermeta.socialpulse.params``.

    chart_spec("line_trend", rows, y="engagement_rate", y_title="Engagement rate (%)")
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from socialpulse.domain.errors import CatalogueError, InvalidInput, NotFound
from socialpulse.domain.platforms import PLATFORMS

CHARTS_PACKAGE = "socialpulse.catalogue"
CHARTS_DIR = "charts"
SUFFIX = ".vl.json"

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_DROP = object()

#: One colour per network label, the same on every chart (and in reports): the platform
#: registry's.
NETWORK_COLORS: dict[str, str] = {p.label: p.color for p in PLATFORMS.values()}


def network_color_scale(labels: Iterable[str]) -> dict[str, list[str]] | None:
    """A Vega-Lite scale that gives each network its colour (None when a label is unknown)."""
    names = sorted(set(labels), key=lambda n: list(NETWORK_COLORS).index(n)
                   if n in NETWORK_COLORS else len(NETWORK_COLORS))
    if not names or any(n not in NETWORK_COLORS for n in names):
        return None
    return {"domain": names, "range": [NETWORK_COLORS[n] for n in names]}


def time_unit(grain: str | None) -> str:
    """Vega-Lite time unit for a time grain, so ticks and tooltips match the buckets (UTC: the
    dates are local calendar days already and must not shift with the viewer's time zone)."""
    return {"month": "utcyearmonth", "quarter": "utcyearquarter"}.get(grain or "",
                                                                        "utcyearmonthdate")


def axis_format(unit: str) -> str:
    """d3 format for an axis of values in ``unit`` (short: 1.2M; percents with 1 decimal)."""
    return {"count": "~s", "percent": ".1f", "currency": ",.0f", "seconds": ",.0f"}.get(unit, "~g")


def tooltip_format(unit: str) -> str:
    """d3 format for a tooltip value in ``unit`` (full precision people read, as in tables)."""
    return {"count": ",.0f", "percent": ".2f", "currency": ",.2f", "seconds": ",.0f",
            "score": ".1f"}.get(unit, ",.2f")


def unit_suffix(unit: str) -> str:
    """What to append to an axis title so the unit is visible (percents only)."""
    return " (%)" if unit == "percent" else ""


@cache
def _load(name: str) -> dict[str, Any]:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise NotFound(f"unknown chart {name!r}; charts are {', '.join(chart_names())}")
    ref = resources.files(CHARTS_PACKAGE).joinpath(CHARTS_DIR, name + SUFFIX)
    if not ref.is_file():
        raise NotFound(f"unknown chart {name!r}; charts are {', '.join(chart_names())}")
    try:
        spec = json.loads(ref.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"charts/{name}{SUFFIX}: invalid JSON at line {exc.lineno}: {exc.msg}"
        ) from None
    meta = spec.get("usermeta", {}).get("socialpulse", {})
    if not isinstance(meta.get("params"), dict):
        raise CatalogueError(f"charts/{name}{SUFFIX}: missing usermeta.socialpulse.params")
    return dict(spec)


def chart_names() -> list[str]:
    """Names of the charts shipped with the package."""
    folder = resources.files(CHARTS_PACKAGE).joinpath(CHARTS_DIR)
    return sorted(
        p.name[: -len(SUFFIX)] for p in folder.iterdir() if p.name.endswith(SUFFIX)
    )


def chart_params(name: str) -> dict[str, Any]:
    """The parameters a chart accepts, with their defaults."""
    return dict(_load(name)["usermeta"]["socialpulse"]["params"])


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _fill(node: Any, params: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            filled = _fill(v, params)
            if filled is not _DROP:
                out[k] = filled
        if "field" in node and "field" not in out:
            return _DROP  # an encoding (or tooltip) whose field was dropped goes away whole
        return out
    if isinstance(node, list):
        return [x for x in (_fill(v, params) for v in node) if x is not _DROP]
    if isinstance(node, str):
        whole = _PLACEHOLDER.fullmatch(node)
        if whole:
            value = params[whole[1]]
            return _DROP if value is None else copy.deepcopy(value)
        return _PLACEHOLDER.sub(lambda m: "" if params[m[1]] is None else str(params[m[1]]),
                                node)
    return node


def chart_spec(name: str, data: Iterable[Mapping[str, Any]], **params: Any) -> dict[str, Any]:
    """A complete Vega-Lite spec: chart ``name`` with ``data`` inlined and ``params`` applied.

    Dates in ``data`` become ISO strings and NaN becomes null, so the result is plain JSON.
    Unknown parameters raise InvalidInput (a typo would otherwise silently do nothing).
    """
    spec = _load(name)
    defaults = spec["usermeta"]["socialpulse"]["params"]
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise InvalidInput(
            f"chart {name}: unknown parameter(s) {', '.join(unknown)}; "
            f"parameters are {', '.join(sorted(defaults))}"
        )
    values = {**defaults, **params}
    body = {k: v for k, v in spec.items() if k != "usermeta"}
    filled: dict[str, Any] = _fill(body, values)
    filled["data"] = {"values": [{k: _json_safe(v) for k, v in row.items()} for row in data]}
    filled["usermeta"] = {"socialpulse": {"chart": name}}
    return filled
