"""Catalogues shipped as package data (YAML), loaded once and validated by the domain."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from socialpulse.catalogue.sources import resolve_citations
from socialpulse.domain.errors import CatalogueError
from socialpulse.domain.metrics import Catalogue, load_catalogue

#: libyaml's safe loader when PyYAML was built with it: the same documents (checked on every
#: shipped catalogue) about 6x faster, which the demo build and the maturity pages read each run.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(name: str) -> Any:
    """Read one catalogue file from the package, its source citations resolved to titles
    (`catalogue.sources`); errors name the file."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    try:
        doc = yaml.load(text, Loader=_LOADER)  # noqa: S506 (CSafeLoader or SafeLoader)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{name}: invalid YAML: {exc}") from None
    return resolve_citations(doc, name)


@lru_cache(maxsize=1)
def metric_catalogue() -> Catalogue:
    return load_catalogue(read_yaml("metrics.yaml"), read_yaml("goal_types.yaml"), "metrics.yaml")
