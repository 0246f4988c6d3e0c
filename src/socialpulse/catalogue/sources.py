"""The source registry: the documents the catalogues cite, by id, with a title people read.

Catalogue texts cite a source as ``{source:ID}`` (for example ``"{source:social-transformation},
lesson 2: relationships, not scale"``). `resolve_citations` replaces each with the source's title
when a catalogue file is read, so every page, CLI output and report shows the same title, and
a citation of an unknown id fails loading with the file and the id named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from socialpulse.domain.errors import CatalogueError

SOURCES_FILE = "sources.yaml"
CITATION = re.compile(r"\{source:([a-z0-9-]+)\}")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    description: str
    files: tuple[str, ...]  # the documents beside the repository this source is


def parse_sources(doc: Any, where: str = SOURCES_FILE) -> dict[str, Source]:
    """Validate the registry: every source has a title (errors name the file and the id)."""
    items = doc.get("sources") if isinstance(doc, dict) else None
    if not isinstance(items, dict) or not items:
        raise CatalogueError(f"{where}: expected a 'sources' mapping")
    out = {}
    for sid, entry in items.items():
        if not isinstance(entry, dict) or not str(entry.get("title") or "").strip():
            raise CatalogueError(f"{where}: source {sid!r}: a title is required")
        if not re.fullmatch(r"[a-z0-9-]+", str(sid)):
            raise CatalogueError(f"{where}: source {sid!r}: ids are lowercase words and dashes")
        out[str(sid)] = Source(str(sid), str(entry["title"]).strip(),
                               str(entry.get("description") or "").strip(),
                               tuple(str(f) for f in entry.get("files") or ()))
    return out


@lru_cache(maxsize=1)
def sources() -> dict[str, Source]:
    """The registry shipped with the package, read once per process."""
    text = resources.files(__package__).joinpath(SOURCES_FILE).read_text(encoding="utf-8")
    try:
        return parse_sources(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{SOURCES_FILE}: invalid YAML: {exc}") from None


def cite(text: str, where: str, registry: dict[str, Source] | None = None) -> str:
    """``text`` with every ``{source:ID}`` replaced by that source's title."""
    known = sources() if registry is None else registry

    def title(m: re.Match[str]) -> str:
        found = known.get(m.group(1))
        if found is None:
            raise CatalogueError(f"{where}: cites unknown source {m.group(1)!r}; known: "
                                 f"{', '.join(sorted(known))} ({SOURCES_FILE})")
        return found.title

    return CITATION.sub(title, text)


def resolve_citations(node: Any, where: str, registry: dict[str, Source] | None = None) -> Any:
    """Every string of a parsed catalogue file with its citations resolved (see `cite`)."""
    if isinstance(node, str):
        return cite(node, where, registry) if "{source:" in node else node
    if isinstance(node, dict):
        return {k: resolve_citations(v, where, registry) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve_citations(v, where, registry) for v in node]
    return node


def source_title(source_id: str) -> str:
    """The title of one source, for texts outside the catalogues (page subtitles, reports)."""
    return cite("{source:" + source_id + "}", "source_title")
