"""Importers for the files social platforms export, and a generic CSV/XLSX mapping.

Each format is a :class:`Format`: an id (``--format``), the network, a detector that looks at
the file's container, names, headers and sheets, and a parser returning :class:`Parsed`
tables in the lake's vocabulary. Formats are tried in order; the first that recognises a file
wins, so more specific formats come first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import Network

from . import facebook, fediverse, ga4, generic, linkedin, tiktok, x, youtube
from .base import Context, Limits, Parsed
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


FORMATS: list[Format] = [
    Format("x-tweets", Network.X, "X Analytics, tweet activity (CSV)", _csv(x.is_tweets),
           x.parse_tweets),
    Format("x-daily", Network.X, "X Analytics, daily account activity (CSV)", _csv(x.is_daily),
           x.parse_daily),
    Format("facebook-posts", Network.FACEBOOK,
           "Facebook Page Insights, Post data (legacy; XLS/SpreadsheetML, XLSX, CSV)",
           facebook.is_legacy, facebook.parse_legacy),
    Format("facebook-page", Network.FACEBOOK,
           "Facebook Page Insights, Page data (legacy; XLS/SpreadsheetML, XLSX, CSV)",
           facebook.is_page, facebook.parse_page),
    Format("meta-facebook", Network.FACEBOOK, "Meta Business Suite, Facebook posts (CSV)",
           _csv(facebook.is_meta_facebook), facebook.parse_meta),
    Format("meta-instagram", Network.INSTAGRAM, "Meta Business Suite, Instagram posts (CSV)",
           _csv(facebook.is_meta_instagram), facebook.parse_meta),
    Format("linkedin", Network.LINKEDIN,
           "LinkedIn Page analytics: updates, update metrics, visitors, followers "
           "(XLS, XLSX, CSV)", linkedin.detect, linkedin.parse),
    Format("youtube", Network.YOUTUBE,
           "YouTube Studio export: Table data, Chart data, Totals (CSV)", _csv(youtube.detect),
           youtube.parse),
    Format("tiktok", Network.TIKTOK,
           "TikTok Studio: Overview, Content, Viewers, FollowerHistory, FollowerActivity, "
           "FollowerGender, FollowerTopTerritories (CSV)", _csv(tiktok.detect), tiktok.parse),
    Format("mastodon", Network.MASTODON, "Mastodon API Status entities (JSON array or JSONL)",
           fediverse.is_mastodon, fediverse.parse_mastodon),
    Format("bluesky", Network.BLUESKY,
           "Bluesky getAuthorFeed responses or postView objects (JSON, JSONL)",
           fediverse.is_bluesky, fediverse.parse_bluesky),
    Format("ga4", None, "Google Analytics 4 traffic acquisition by session source (CSV): "
           "sessions, key events and revenue from social", ga4.detect, ga4.parse),
    Format("generic", None, "Any CSV/XLSX with a mapping file (--mapping)", generic.detect,
           generic.parse),
]
FORMAT_IDS = [f.id for f in FORMATS]


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


__all__ = ["FORMATS", "FORMAT_IDS", "Context", "Format", "Limits", "Parsed", "Source", "detect",
           "format_by_id"]
