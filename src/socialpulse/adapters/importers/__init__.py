"""Importers for the files social platforms export, and a generic CSV/XLSX mapping.

Each format is a :class:`Format`: an id (``--format``), the network, a detector that looks at
the file's container, names, headers and sheets, and a parser returning :class:`Parsed`
tables in the lake's vocabulary. Formats are tried in order; the first that recognises a file
wins, so more specific formats come first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.platforms import FORMAT_IDS, IMPORT_FORMATS, ImportFormat, Network
from socialpulse.services.import_model import Context, Limits, Parsed

from . import facebook, fediverse, ga4, generic, linkedin, tiktok, x, youtube
from .source import Source


@dataclass(frozen=True)
class Format:
    id: str
    network: Network | None  # None: decided by the file (generic mapping)
    label: str
    detect: Callable[[Source], bool]
    parse: Callable[[Source, Context], Parsed]

    def read(self, src: Source, ctx: Context) -> Parsed:
        """Parse a file, refusing one without data rows (a header alone): importing it would
        create an account and report an import of nothing. A file whose rows were all read
        but not stored (e.g. audience breakdowns) says so in its report instead."""
        parsed = self.parse(src, ctx)
        if parsed.rows_read == 0 and not any(parsed.skipped.values()):
            raise InvalidInput(f"{src.name}: no data rows")
        return parsed


def _csv(check: Callable[[Source], bool]) -> Callable[[Source], bool]:
    def detect(src: Source) -> bool:
        return src.kind == "csv" and check(src)

    return detect


#: The parsers of each import format of the platform registry (domain/platforms.py, which
#: holds their ids, networks, labels and detection order): (detector, parser).
PARSERS: dict[str, tuple[Callable[[Source], bool], Callable[[Source, Context], Parsed]]] = {
    "x-tweets": (_csv(x.is_tweets), x.parse_tweets),
    "x-daily": (_csv(x.is_daily), x.parse_daily),
    "facebook-posts": (facebook.is_legacy, facebook.parse_legacy),
    "facebook-page": (facebook.is_page, facebook.parse_page),
    "meta-facebook": (_csv(facebook.is_meta_facebook), facebook.parse_meta),
    "meta-instagram": (_csv(facebook.is_meta_instagram), facebook.parse_meta),
    "linkedin": (linkedin.detect, linkedin.parse),
    "youtube": (_csv(youtube.detect), youtube.parse),
    "tiktok": (_csv(tiktok.detect), tiktok.parse),
    "mastodon": (fediverse.is_mastodon, fediverse.parse_mastodon),
    "bluesky": (fediverse.is_bluesky, fediverse.parse_bluesky),
    "ga4": (ga4.detect, ga4.parse),
    "generic": (generic.detect, generic.parse),
}
if set(PARSERS) != set(FORMAT_IDS):  # pragma: no cover - the registry and the parsers disagree
    raise RuntimeError("import formats without a parser, or parsers without a registry entry: "
                       f"{sorted(set(PARSERS) ^ set(FORMAT_IDS))}")

FORMATS: list[Format] = [Format(f.id, f.network, f.label, *PARSERS[f.id])
                         for f in IMPORT_FORMATS]



def format_by_id(fmt: str) -> Format:
    for f in FORMATS:
        if f.id == fmt:
            return f
    raise InvalidInput(f"--format: unknown format {fmt!r}; use auto or one of "
                       f"{', '.join(FORMAT_IDS)}")


def detect(src: Source, ctx: Context) -> Format:
    """The format of a file, from its container, name, headers and sheets (the first rows)."""
    probe = src.probe()
    for f in FORMATS:
        if f.id == "generic":  # only on request: --mapping (or --format generic)
            continue
        if f.detect(probe):
            return f
    what = {"csv": "CSV", "json": "JSON", "jsonl": "JSON Lines", "xls": "XLS workbook",
            "xlsx": "XLSX workbook", "spreadsheetml": "SpreadsheetML workbook"}[src.kind]
    if src.kind == "csv":
        seen = ", ".join(repr(h) for h in src.header[:6] if h)
        hint = f" (first cells: {seen[:200]})" if seen else ""
    elif src.kind in ("json", "jsonl"):
        hint = ""
    else:
        hint = f" (sheets: {', '.join(list(probe.sheets)[:8])})"
    raise InvalidInput(f"{src.name}: not a known export ({what}{hint}); name the format with "
                       "--format, or describe the columns in a mapping file (--mapping)")


class Importers:
    """The `ImportFormats` port of `services/ports.py`: the formats, and reading one file."""

    def formats(self) -> list[ImportFormat]:
        return list(IMPORT_FORMATS)

    def read(self, path: Path, name: str, ctx: Context, fmt: str | None = None) -> Parsed:
        """Parse one file with the format named (``fmt``), else the one detected; the file is
        read within ``ctx.limits``, decoded with ``ctx.encoding`` when given."""
        src = Source(path, name, ctx.limits, ctx.encoding)
        return (format_by_id(fmt) if fmt else detect(src, ctx)).read(src, ctx)


__all__ = ["FORMATS", "FORMAT_IDS", "Context", "Format", "Importers", "Limits", "Parsed",
           "Source", "detect", "format_by_id"]
