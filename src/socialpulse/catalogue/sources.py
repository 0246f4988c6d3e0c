"""The source registry: the documents the catalogues cite, by id, with a title people read.

Catalogue texts cite a source as ``{source:ID}`` (for example ``"{source:social-transformation},
lesson 2: relationships, not scale"``). `resolve_citations` replaces each with the source's title
when a catalogue file is read, so every page, CLI output and report shows the same title, and
a citation of an unknown id fails loading with the file, the entry and the id named (every
unknown citation of the file at once).
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
    """Validate the registry: every source has a title and a plain id. Every issue is
    reported at once, one line each naming the file and the id."""
    items = doc.get("sources") if isinstance(doc, dict) else None
    if not isinstance(items, dict) or not items:
        raise CatalogueError(f"{where}: expected a 'sources' mapping")
    out = {}
    issues: list[str] = []
    for sid, entry in items.items():
        found = []
        if not isinstance(entry, dict) or not str(entry.get("title") or "").strip():
            found.append(f"{where}: source {sid!r}: title: a title is required")
        if not re.fullmatch(r"[a-z0-9-]+", str(sid)):
            found.append(f"{where}: source {sid!r}: ids are lowercase words and dashes")
        if found:
            issues.extend(found)
            continue
        out[str(sid)] = Source(str(sid), str(entry["title"]).strip(),
                               str(entry.get("description") or "").strip(),
                               tuple(str(f) for f in entry.get("files") or ()))
    if issues:
        raise CatalogueError("\n".join(issues))
    return out


@lru_cache(maxsize=1)
def sources() -> dict[str, Source]:
    """The registry shipped with the package, read once per process."""
    text = resources.files(__package__).joinpath(SOURCES_FILE).read_text(encoding="utf-8")
    try:
        return parse_sources(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{SOURCES_FILE}: invalid YAML: {exc}") from None


def _cite(text: str, where: str, known: dict[str, Source], missing: list[str]) -> str:
    """``text`` with its citations resolved; unknown ids are added to ``missing``."""

    def title(m: re.Match[str]) -> str:
        found = known.get(m.group(1))
        if found is None:
            missing.append(f"{where}: cites unknown source {m.group(1)!r}; known: "
                           f"{', '.join(sorted(known))} ({SOURCES_FILE})")
            return m.group(0)
        return found.title

    return CITATION.sub(title, text)


def _raise_missing(missing: list[str]) -> None:
    if missing:
        raise CatalogueError("\n".join(dict.fromkeys(missing)))


def cite(text: str, where: str, registry: dict[str, Source] | None = None) -> str:
    """``text`` with every ``{source:ID}`` replaced by that source's title."""
    missing: list[str] = []
    out = _cite(text, where, sources() if registry is None else registry, missing)
    _raise_missing(missing)
    return out


def resolve_citations(node: Any, where: str, registry: dict[str, Source] | None = None) -> Any:
    """Every string of a parsed catalogue file with its citations resolved (see `cite`); every
    unknown citation of the file is reported at once, with the entry that holds it."""
    missing: list[str] = []
    out = _resolve(node, where, "", sources() if registry is None else registry, missing)
    _raise_missing(missing)
    return out


def _resolve(node: Any, file: str, path: str, known: dict[str, Source],
             missing: list[str]) -> Any:
    if isinstance(node, str):
        where = f"{file}: {path}" if path else file
        return _cite(node, where, known, missing) if "{source:" in node else node
    if isinstance(node, dict):
        return {k: _resolve(v, file, f"{path}.{k}" if path else str(k), known, missing)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, file, f"{path}[{i}]", known, missing) for i, v in enumerate(node)]
    return node


def source_title(source_id: str) -> str:
    """The title of one source, for texts outside the catalogues (page subtitles, reports)."""
    return cite("{source:" + source_id + "}", "source_title")
