"""Goal and key-result specs as people type them (CLI options, web forms): ``+20%``,
``2026-11-30=+5%:halfway``, ``metric=followers;change=+3%;networks=linkedin``.

Shared by the CLI and the web forms so both accept exactly the same text, with the number
bounds of `domain.goals.fields` (which also types a goal's JSON fields for the API, OKR key
results and revisions).
"""

from __future__ import annotations

import re
from typing import Any

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.goals.fields import MAX_CHANGE_PCT, MAX_TARGET, bounded

_CHANGE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%?\s*$")

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
