"""Import templates: empty CSV files, with their mapping files, for a goal type's data.

`socialpulse import --template conversions` writes one CSV per dataset the goal type's metrics
read (``conversions-daily.csv`` with date, network, account and the daily inputs;
``conversions-posts.csv`` for per-post counters) and a mapping for each, so that a filled
template imports with ``socialpulse import FILE --mapping FILE.yaml``. The columns come from
the metric catalogue (each input's dataset and column) in the generic mapping's field order,
so a new catalogue input appears in the templates without a second list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from socialpulse.domain.datasets import MAPPING_FIELDS as FIELDS
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.metrics import Catalogue

#: The columns every template starts with: whose row it is, then the dataset's key.
KEYS = {"posts": ["network", "account", "post_id", "published_at"],
        "account_daily": ["network", "account", "date"]}
SUFFIX = {"posts": "posts", "account_daily": "daily"}


@dataclass(frozen=True)
class Template:
    dataset: str
    name: str  # file name of the CSV; the mapping is the same name with .yaml
    header: list[str]

    @property
    def mapping(self) -> dict[str, Any]:
        return {"network_column": "network", "account_column": "account",
                "dataset": self.dataset,
                "columns": {c: c for c in self.header if c not in ("network", "account")}}


def templates(catalogue: Catalogue, goal_type: str) -> tuple[list[Template], list[str]]:
    """The templates of a goal type's data, and notes on inputs no template holds (listening
    mentions come from `socialpulse listen import`)."""
    kind = catalogue.goal_types.get(goal_type)
    if kind is None:
        raise InvalidInput(f"--template: unknown goal type {goal_type!r}; use one of "
                           f"{', '.join(catalogue.goal_types)}")
    columns: dict[str, set[str]] = {}
    notes: list[str] = []
    for metric_id in kind.metrics:
        metric = catalogue.metric(metric_id)
        for variant in metric.variants:
            for m in catalogue.inputs(metric, variant):
                if m.dataset == "mentions":
                    note = (f"{metric.name}: mentions come from listening "
                            "(socialpulse listen import), not from a template")
                    if note not in notes:
                        notes.append(note)
                    continue
                columns.setdefault(m.dataset, set()).update([m.column] if m.column else [])
    if not columns:
        raise InvalidInput(f"--template: goal type {goal_type!r} has no imported inputs"
                           + (f" ({'; '.join(notes)})" if notes else
                              " (its goals are milestones)"))
    out = [Template(ds, f"{goal_type}-{SUFFIX[ds]}.csv",
                    [*KEYS[ds], *(f for f in FIELDS[ds] if f in columns[ds])])
           for ds in ("account_daily", "posts") if ds in columns]
    return out, notes


def write_templates(found: list[Template], folder: Path) -> list[Path]:
    """Write each template's empty CSV (header only) and its mapping; return their paths.
    Existing files are not overwritten: a filled template is someone's data."""
    paths: list[Path] = []
    for t in found:
        csv_path = folder / t.name
        for p in (csv_path, csv_path.with_suffix(".yaml")):
            if p.exists():
                raise InvalidInput(f"--template: {p} exists; remove it or choose --out")
    folder.mkdir(parents=True, exist_ok=True)
    for t in found:
        csv_path = folder / t.name
        csv_path.write_text(",".join(t.header) + "\n", encoding="utf-8")
        head = (f"# Mapping for {t.name}: fill the CSV (one row per "
                f"{'post' if t.dataset == 'posts' else 'account and day'}), then\n"
                f"# socialpulse import {t.name} --mapping {csv_path.with_suffix('.yaml').name}\n")
        csv_path.with_suffix(".yaml").write_text(
            head + yaml.safe_dump(t.mapping, sort_keys=False), encoding="utf-8")
        paths += [csv_path, csv_path.with_suffix(".yaml")]
    return paths
