"""Goal and key-result specs as people type them (CLI options, web forms): ``+20%``,
``2026-11-30=+5%:halfway``, ``metric=followers;change=+3%;networks=linkedin``.

Shared by the CLI and the web forms so both accept exactly the same text; `check_goal_fields`
types a goal's JSON fields (the API, OKR key results, revisions) with the same number bounds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from socialpulse.domain.errors import InvalidInput

_CHANGE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%?\s*$")

#: Largest % change a goal may ask for (a thousandfold): beyond it a target is no plan, and
#: 1e308 % overflowed to infinity in the target and every figure derived from it.
MAX_CHANGE_PCT = 100_000.0
#: Largest absolute target (well inside what a float adds up exactly enough to compare).
MAX_TARGET = 1e15


def bounded(value: float, field_name: str, limit: float) -> float:
    """``value`` if finite and within +-``limit``; otherwise one line naming the field."""
    if not math.isfinite(value) or abs(value) > limit:
        raise InvalidInput(f"{field_name}: {value!r} is out of range; give a number from "
                           f"{-limit:,.0f} to {limit:,.0f}")
    return value


def parse_change(text: str, field_name: str = "--change") -> float:
    """``+20``, ``20%`` or ``-10%`` as a signed percentage."""
    m = _CHANGE.match(text)
    if not m:
        raise InvalidInput(f"{field_name}: {text!r} is not a % change such as +20% or -10%")
    return bounded(float(m[1]), field_name, MAX_CHANGE_PCT)


def parse_number(text: str, field_name: str) -> float:
    """A target as typed (``12,000``); "inf", "nan" and absurd sizes are refused."""
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise InvalidInput(f"{field_name}: {text!r} is not a number") from None
    return bounded(value, field_name, MAX_TARGET)


def parse_milestone(text: str, i: int) -> dict[str, Any]:
    """``2026-11-30=+10%`` or ``2026-11-30=12000`` with an optional ``:label``."""
    where = f"--milestone {i}"
    due, sep, rest = text.partition("=")
    if not sep:
        raise InvalidInput(f"{where}: {text!r} is not DATE=TARGET, e.g. 2026-11-30=+10%")
    value, _, label = rest.partition(":")
    out: dict[str, Any] = {"due": due.strip(), "label": label.strip()}
    if value.strip().endswith("%") or value.strip().startswith("+"):
        out["target_change_pct"] = parse_change(value, where)
    else:
        out["target_value"] = parse_number(value.strip(), where)
    return out


_KR_KEYS = {"template": "template", "metric": "metric", "variant": "variant",
            "goal_type": "goal_type", "baseline": "baseline_period", "title": "title",
            "campaign": "campaign", "owner": "owner"}


def parse_key_result(text: str, i: int, label: str = "--kr") -> dict[str, Any]:
    """One ``--kr``: ``template=brand_awareness:reach``, ``metric=engagement_rate;change=+10%``,
    ``metric=followers;target=60000;networks=linkedin`` or ``milestone=Buyer personas ready``."""
    where = f"{label} {i}"
    t = text.strip()
    if t.lower().startswith("milestone="):
        return {"milestone": t.partition("=")[2].strip()}
    out: dict[str, Any] = {}
    parts = [p for p in re.split(r"[;,]\s*(?=[a-z_]+=)", t) if p.strip()]
    for part in parts:
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep:
            raise InvalidInput(f"{where}: {part!r} is not key=value (keys: template, metric, "
                               "target, change, baseline, networks, accounts, milestone, title)")
        value = value.strip()
        if key in _KR_KEYS:
            out[_KR_KEYS[key]] = value
        elif key == "target":
            out["target_value"] = parse_number(value, f"{where} target")
        elif key == "change":
            out["target_change_pct"] = parse_change(value, f"{where} change")
        elif key in ("network", "networks"):
            out["networks"] = [n for n in re.split(r"[ +|/]", value) if n]
        elif key in ("account", "accounts"):
            out["accounts"] = [n for n in re.split(r"[ +|]", value) if n]
        else:
            raise InvalidInput(f"{where}: unknown key {key!r}; use template, metric, variant, "
                               "target, change, baseline, networks, accounts, campaign, title or "
                               "milestone")
    return out


#: The JSON type of each goal field (dates may also be `date` objects: revisions pass them).
_TEXT = ("metric", "variant", "goal_type", "objective", "baseline_period", "campaign",
         "owner", "title", "template")
_NUMBERS = {"target_value": MAX_TARGET, "target_change_pct": MAX_CHANGE_PCT}


def _check_number(value: Any, where: str, limit: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{where} must be a number, got {str(value)[:40]!r}")
    bounded(float(value), where, limit)


def _check_date(value: Any, where: str) -> None:
    if not isinstance(value, str | date):
        raise InvalidInput(f"{where} must be a date as text (YYYY-MM-DD), got {str(value)[:40]!r}")


def check_goal_fields(data: Mapping[str, Any], where: str = "goal") -> None:
    """Check the JSON types of a goal's fields before anything reads them.

    A body such as ``{"metric": 5}`` or ``{"template": ["a"]}`` otherwise failed deep in the
    service (a dict lookup with a list, ``.split`` on an int) as a 500; here each wrong type
    is one line naming the field. Null means "not given" and is left to the defaults."""
    for key in _TEXT:
        v = data.get(key)
        if v is not None and not isinstance(v, str):
            raise InvalidInput(f"{where}: {key} must be text, got {str(v)[:40]!r}")
    for key, limit in _NUMBERS.items():
        if data.get(key) is not None:
            _check_number(data[key], f"{where}: {key}", limit)
    if data.get("deadline") is not None:
        _check_date(data["deadline"], f"{where}: deadline")
    for key, kinds in (("networks", (str,)), ("accounts", (str, int))):
        v = data.get(key)
        if v is None or isinstance(v, str):
            continue
        if not isinstance(v, list | tuple) or not all(
                isinstance(x, kinds) and not isinstance(x, bool) for x in v):
            raise InvalidInput(f"{where}: {key} must be a list of "
                               + ("names" if key == "networks" else "account ids or handles"))
    milestones = data.get("milestones")
    if milestones is None:
        return
    if not isinstance(milestones, list | tuple):
        raise InvalidInput(f"{where}: milestones must be a list of objects")
    for i, m in enumerate(milestones, start=1):
        w = f"{where}: milestones[{i}]"
        if not isinstance(m, Mapping):
            raise InvalidInput(f"{w} must be an object with due and target_value or "
                               "target_change_pct")
        if m.get("due") is not None:
            _check_date(m["due"], f"{w}.due")
        for key, limit in _NUMBERS.items():
            if m.get(key) is not None:
                _check_number(m[key], f"{w}.{key}", limit)
        if m.get("label") is not None and not isinstance(m["label"], str):
            raise InvalidInput(f"{w}.label must be text")
