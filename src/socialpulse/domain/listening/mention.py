"""A mention as it comes from a source, before enrichment (plain value, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RawMention:
    """One public post or comment from a source; ``where`` says where it came from (for errors).

    ``lang`` is the language the source declares (Mastodon ``language``, Bluesky ``langs``), a
    hint only: enrichment keeps it when it is one of the workspace's languages.
    """

    mention_id: str
    network: str
    published_at: datetime  # timezone-aware, UTC
    text: str
    author: str = ""
    author_followers: int | None = None
    lang: str = ""
    url: str = ""
    where: str = ""
