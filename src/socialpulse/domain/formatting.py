"""How numbers are shown to people, the same in the terminal, the pages and the reports."""

from __future__ import annotations

import math


def format_value(value: float | int | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "percent":
        return f"{value:.2f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "currency":
        return f"{value:,.2f}"
    if unit == "seconds":
        return format_duration(float(value))
    if unit == "score":
        return f"{value:.1f}"
    return f"{value:,.2f}"


def format_duration(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m {s:02d}s"
    h, m = divmod(m, 60)
    return f"{h}h {m:02d}m"


def format_size(nbytes: int) -> str:
    """A file or upload size as people read it: whole MB, or KB under one MB (so a limit of
    256 KB never reads "0 MB")."""
    if nbytes >= 2**20:
        return f"{nbytes / 2**20:,.0f} MB"
    return f"{nbytes / 2**10:,.0f} KB"


def format_change(pct: float | None) -> str:
    if pct is None:
        return "n/a"
    sign = "+" if pct >= 0 else "-"
    return f"{sign}{abs(pct):.1f}%"


def one_line(text: str | None, width: int) -> str:
    """A post's text on one line, cut to ``width`` characters with an ellipsis: tables,
    panels and report sentences quote posts, whose text may span lines."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"
