"""The JSON types and bounds of a goal's fields, checked before anything reads them.

The API, OKR key results, revisions and the text parsers of the CLI and the web forms
(`services.goal_input`) share these bounds, so a number refused in one place is refused in all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from ..errors import InvalidInput

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


def number(v: Any, where: str) -> float:
    """A finite number as a float (booleans are not numbers); one line naming ``where``."""
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise InvalidInput(f"{where}: {v!r} is not a number")
    return float(v)


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
