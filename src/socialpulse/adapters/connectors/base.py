"""The mention source interface and the choice of a file source by format.

A source is anything that iterates raw mentions. File sources read one file; a live connector
(Mastodon streaming API, Bluesky firehose/Jetstream) will be an iterator that blocks for the
next event, and the listening service consumes any source the same way: in batches, each batch
one atomic, content-hashed lake ingest, so a stream can stop anywhere and resume without
duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.platforms import PLATFORMS
from socialpulse.services.import_model import MENTION_LIMITS

#: untrusted files: the importers' one set of limits (`services/import_model.Limits`), with
#: listening's room for bigger files: larger than this is refused before reading
MAX_FILE_BYTES = MENTION_LIMITS.max_file_bytes
#: one JSON line or CSV row longer than this is refused (naming the line): a cell's limit
MAX_LINE_BYTES = MENTION_LIMITS.max_cell_bytes
#: generic files, then the networks whose posts the platform registry says a file can hold
FORMATS = ("jsonl", "csv", *(p.mention_format for p in PLATFORMS.values() if p.mention_format))


@runtime_checkable
class MentionSource(Protocol):
    """Iterates raw mentions; ``name`` is recorded in the ingest ledger.

    A source that can be read twice (a file) says ``replayable = True``: ingest then reads it
    through once before writing anything, so a bad record anywhere refuses the whole file. A
    live stream cannot be replayed and keeps what each chunk committed.
    """

    name: str

    def __iter__(self) -> Iterator[RawMention]: ...


def check_file(path: Path) -> None:
    if not path.exists():
        raise InvalidInput(f"{path}: no such file")
    if not path.is_file():
        raise InvalidInput(f"{path}: not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InvalidInput(
            f"{path}: {size / 1e6:.0f} MB is over the {MAX_FILE_BYTES / 1e6:.0f} MB limit; "
            "split the file"
        )


def detect_format(path: Path) -> str:
    """Guess a file's format from its name and first bytes (jsonl, csv, mastodon, bluesky)."""
    check_file(path)
    if path.suffix.lower() in (".csv", ".tsv"):
        return "csv"
    with open(path, "rb") as fh:
        head = fh.read(65536).decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if not head:
        raise InvalidInput(f"{path}: the file is empty")
    first_line = head.splitlines()[0]
    probe = first_line
    if head.startswith("{") or head.startswith("["):
        try:
            obj = json.loads(first_line)
        except (ValueError, RecursionError):  # malformed, nested too deeply, huge numbers
            obj = None
        if obj is None:
            probe = head
    if '"app.bsky.feed.post"' in probe or '"did:' in probe or ('"feed"' in probe
                                                                 and '"post"' in probe):
        return "bluesky"
    if '"favourites_count"' in probe or '"reblogs_count"' in probe or '"acct"' in probe:
        return "mastodon"
    if head.startswith("{"):
        return "jsonl"
    raise InvalidInput(
        f"{path}: cannot tell the format; pass --format ({', '.join(FORMATS)})"
    )


def open_source(path: Path, fmt: str | None = None, network: str | None = None) -> MentionSource:
    """The file source for a path: ``fmt`` one of jsonl, csv, mastodon, bluesky, or guessed."""
    from .files import BlueskySource, CsvSource, JsonlSource, MastodonSource

    check_file(path)
    f = (fmt or detect_format(path)).strip().lower()
    if f == "jsonl":
        return JsonlSource(path, network)
    if f == "csv":
        return CsvSource(path, network)
    if f == "mastodon":
        return MastodonSource(path)
    if f == "bluesky":
        return BlueskySource(path)
    raise InvalidInput(f"--format: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
