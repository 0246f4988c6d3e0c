"""Goal types and goal templates, validated from plain data (the YAML files' contents).

Every error names the file and the entry, so a catalogue edit that breaks a rule says where.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import CatalogueError, InvalidInput
from ..metrics import Catalogue

HORIZON = re.compile(r"^(quarter|month|year|(\d{1,3})d)$")
BASELINE = re.compile(r"^(previous_quarter|previous_month|last_(\d{1,3})d)$")


@dataclass(frozen=True)
class GoalTypeInfo:
    id: str
    name: str
    verb: str
    description: str
    metrics: tuple[str, ...]
    milestones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    id: str  # "{goal_type}:{metric}"
    goal_type: str
    metric: str
    title: str
    target_change_pct: float
    horizon: str  # quarter | month | year | Nd
    baseline: str  # previous_quarter | previous_month | last_Nd
    variant: str | None = None
    networks: tuple[str, ...] = ()
    objective: str = ""


@dataclass(frozen=True)
class GoalCatalogue:
    goal_types: Mapping[str, GoalTypeInfo]
    templates: Mapping[str, Template] = field(default_factory=dict)

    def goal_type(self, gid: str) -> GoalTypeInfo:
        try:
            return self.goal_types[gid]
        except KeyError:
            raise InvalidInput(
                f"goal_type: unknown goal type {gid!r}; use one of {', '.join(self.goal_types)}"
            ) from None

    def template(self, tid: str) -> Template:
        try:
            return self.templates[tid]
        except KeyError:
            gt = tid.split(":")[0]
            near = [t for t in self.templates if t.startswith(gt + ":")][:8]
            hint = f"; for {gt}: {', '.join(near)}" if near else ""
            raise InvalidInput(
                f"template: unknown template {tid!r}{hint} (see `socialpulse goals templates`)"
            ) from None


def _goal_types(doc: Mapping[str, Any]) -> dict[str, GoalTypeInfo]:
    types: dict[str, GoalTypeInfo] = {}
    for gid, g in (doc.get("goal_types") or {}).items():
        where = f"goal_types.yaml: goal type {gid}"
        if not isinstance(g, Mapping) or not g.get("name"):
            raise CatalogueError(f"{where}: missing required field 'name'")
        types[gid] = GoalTypeInfo(
            id=gid, name=str(g["name"]), verb=str(g.get("verb") or g["name"]),
            description=str(g.get("description", "")),
            metrics=tuple(g.get("metrics") or ()),
            milestones=tuple(str(m) for m in g.get("milestones") or ()),
        )
    return types


def _check_template_fields(where: str, t: Mapping[str, Any]) -> None:
    """Required fields present, a non-zero change, a horizon and a baseline the resolvers
    understand."""
    for key in ("title", "target_change_pct", "horizon", "baseline"):
        if t.get(key) in (None, ""):
            raise CatalogueError(f"{where}: missing required field {key!r}")
    change = t["target_change_pct"]
    if not isinstance(change, int | float) or change == 0:
        raise CatalogueError(f"{where}: target_change_pct must be a non-zero number")
    if not HORIZON.match(str(t["horizon"])):
        raise CatalogueError(f"{where}: horizon {t['horizon']!r} is not quarter, month, "
                             "year or Nd (e.g. 90d)")
    if not BASELINE.match(str(t["baseline"])):
        raise CatalogueError(f"{where}: baseline {t['baseline']!r} is not previous_quarter, "
                             "previous_month or last_Nd (e.g. last_90d)")


def _template(tid: Any, t: Any, types: Mapping[str, GoalTypeInfo],
              metrics: Catalogue) -> Template:
    where = f"goal_templates.yaml: template {tid}"
    if not isinstance(t, Mapping):
        raise CatalogueError(f"{where}: must be a mapping")
    gid, sep, mid = str(tid).partition(":")
    if not sep or gid not in types:
        raise CatalogueError(f"{where}: id must be 'goal_type:metric' with a known goal type")
    if mid not in types[gid].metrics:
        raise CatalogueError(f"{where}: metric {mid!r} is not recommended for goal type "
                             f"{gid} in goal_types.yaml")
    if mid not in metrics.metrics:
        raise CatalogueError(f"{where}: unknown metric {mid!r}")
    _check_template_fields(where, t)
    variant = t.get("variant")
    if variant is not None and variant not in metrics.metrics[mid].variants:
        raise CatalogueError(f"{where}: metric {mid} has no variant {variant!r}")
    return Template(
        id=str(tid), goal_type=gid, metric=mid, title=str(t["title"]),
        target_change_pct=float(t["target_change_pct"]), horizon=str(t["horizon"]),
        baseline=str(t["baseline"]), variant=variant,
        networks=tuple(str(n) for n in t.get("networks") or ()),
        objective=str(t.get("objective", "")),
    )


def load_goal_catalogue(
    goal_types_doc: Mapping[str, Any],
    templates_doc: Mapping[str, Any],
    metrics: Catalogue,
) -> GoalCatalogue:
    """Validate goal types and templates; every error names the file and the entry.

    Every (goal type, recommended metric) pair must have a template with id
    ``"{goal_type}:{metric}"`` (other features link to these ids).
    """
    types = _goal_types(goal_types_doc)
    raw = templates_doc.get("templates")
    if not isinstance(raw, Mapping):
        raise CatalogueError("goal_templates.yaml: needs a top-level 'templates' mapping")
    templates = {tid: _template(tid, t, types, metrics) for tid, t in raw.items()}
    for g in types.values():
        for mid in g.metrics:
            if f"{g.id}:{mid}" not in templates:
                raise CatalogueError(f"goal_templates.yaml: template {g.id}:{mid} is missing "
                                     f"(goal type {g.id} recommends {mid})")
    return GoalCatalogue(types, templates)
