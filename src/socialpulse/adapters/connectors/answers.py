"""API answers read by the export importers, so a synced post *is* the imported post.

A Mastodon Status or a Bluesky feed item fetched by a connector is the same JSON that an
export of the same API holds, so the connectors hand it to the same parsers
(`adapters/importers/fediverse.py`): handles, post ids, text, links and counters come out with
the same natural keys, and an export imported after a sync (or before) merges with it into one
post whose latest snapshot wins. This module only adds what a sync knows and a file does not:
when the counts were observed, and the account's followers from its profile.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa

from socialpulse.adapters.importers.source import Source
from socialpulse.domain.connections import AccountInfo
from socialpulse.domain.platforms import Network
from socialpulse.services.import_model import Context, Parsed

Parser = Callable[[Source, Context], Parsed]


class AnswerSource(Source):
    """An in-memory JSON answer as an importer's `Source` (no file on disk)."""

    def __init__(self, name: str, payload: bytes) -> None:
        super().__init__(Path(name), name)
        self.__dict__["data"] = payload  # the cached_property's slot: never read from disk


def parsed_answer(parser: Parser, network: Network, name: str, payload: object,
                  account: AccountInfo, observed_at: datetime, tz: str) -> Parsed:
    """The parser's reading of ``payload``, observed at ``observed_at``, with the account's
    followers on that (local) day."""
    ctx = Context(tz=tz, today=observed_at.date(), now=observed_at)
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    p = parser(AnswerSource(name, data), ctx) if _has_items(payload) \
        else Parsed(name, network.value, network)
    p.handle, p.handle_origin = account.handle, "the connected account"
    p.observed_at, p.observed_origin = observed_at, "the sync's time"
    if account.followers is not None:
        day = observed_at.astimezone(ZoneInfo(tz)).date()
        p.daily = pa.table({"handle": pa.array([account.handle], pa.string()),
                            "date": pa.array([day], pa.date32()),
                            "followers": pa.array([account.followers], pa.int64())})
    return p


def _has_items(payload: object) -> bool:
    if isinstance(payload, Mapping):
        return any(bool(v) for v in payload.values() if isinstance(v, list))
    return isinstance(payload, Sequence) and len(payload) > 0
