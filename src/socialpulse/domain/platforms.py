"""The one registry of the social networks socialpulse knows, as data.

Each platform says what the rest of the code used to list in its own place: its label, how to
link to a post and a profile, which import formats read its exports (ids and labels, in the
order files are recognised), which web-analytics traffic sources stand for it (GA4 session
sources), and which listening file format reads its posts as mentions. The parsers stay in
`adapters/importers` and `adapters/connectors`, bound to these ids; a test checks that every
format id here has exactly one parser there and the other way round.

Adding a network: one ``Network`` member and one ``Platform`` entry here, plus its parsers
(docs/CONTRIBUTING.md, "Adding a network"). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Network(StrEnum):
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINKEDIN = "linkedin"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"


@dataclass(frozen=True)
class ImportFormat:
    """An import format as people choose it (``--format``, the upload form, the API)."""

    id: str
    network: Network | None  # None: the file decides (generic mapping, GA4 by source)
    label: str


@dataclass(frozen=True)
class Platform:
    network: Network
    label: str
    #: a post's address from ``{handle}`` (no @) and ``{post_id}``; "" where it depends on
    #: the server (Mastodon: the data carries each post's own address)
    post_url: str
    profile_url: str
    #: import formats of its exports, most specific first (detection tries them in order)
    importers: tuple[tuple[str, str], ...]
    #: GA4 session sources (referrer hosts and utm_source values) that mean this network
    traffic_sources: tuple[str, ...] = ()
    #: the listening file format (socialpulse listen import --format) of its posts, if any
    mention_format: str | None = None
    #: its colour on every chart and report: distinct hues rather than brand colours (three
    #: networks have a blue brand colour)
    color: str = "#64748b"

    def post_link(self, handle: str, post_id: str) -> str:
        """The address of a post ("" where the network has no fixed one)."""
        return self.post_url.format(handle=handle.lstrip("@"), post_id=post_id)

    def profile_link(self, handle: str) -> str:
        return self.profile_url.format(handle=handle.lstrip("@"))


PLATFORMS: dict[Network, Platform] = {p.network: p for p in (
    Platform(Network.X, "X", "https://x.com/{handle}/status/{post_id}", "https://x.com/{handle}",
             (("x-tweets", "X Analytics, tweet activity (CSV)"),
              ("x-daily", "X Analytics, daily account activity (CSV)")),
             ("t.co", "x.com", "twitter.com", "mobile.twitter.com", "twitter", "x"),
             color="#111827"),
    Platform(Network.FACEBOOK, "Facebook", "https://www.facebook.com/{handle}/posts/{post_id}",
             "https://www.facebook.com/{handle}",
             (("facebook-posts",
               "Facebook Page Insights, Post data (legacy; XLS/SpreadsheetML, XLSX, CSV)"),
              ("facebook-page",
               "Facebook Page Insights, Page data (legacy; XLS/SpreadsheetML, XLSX, CSV)"),
              ("meta-facebook", "Meta Business Suite, Facebook posts (CSV)")),
             ("facebook.com", "l.facebook.com", "m.facebook.com", "lm.facebook.com",
              "business.facebook.com", "facebook", "fb"), color="#2563eb"),
    Platform(Network.INSTAGRAM, "Instagram", "https://www.instagram.com/p/{post_id}/",
             "https://www.instagram.com/{handle}/",
             (("meta-instagram", "Meta Business Suite, Instagram posts (CSV)"),),
             ("instagram.com", "l.instagram.com", "instagram", "ig"), color="#db2777"),
    Platform(Network.LINKEDIN, "LinkedIn", "https://www.linkedin.com/feed/update/{post_id}/",
             "https://www.linkedin.com/company/{handle}/",
             (("linkedin", "LinkedIn Page analytics: updates, update metrics, visitors, "
               "followers (XLS, XLSX, CSV)"),),
             ("linkedin.com", "lnkd.in", "linkedin"), color="#0d9488"),
    Platform(Network.YOUTUBE, "YouTube", "https://www.youtube.com/watch?v={post_id}",
             "https://www.youtube.com/@{handle}",
             (("youtube", "YouTube Studio export: Table data, Chart data, Totals (CSV)"),),
             ("youtube.com", "m.youtube.com", "youtube"), color="#dc2626"),
    Platform(Network.TIKTOK, "TikTok", "https://www.tiktok.com/{handle}/video/{post_id}",
             "https://www.tiktok.com/@{handle}",
             (("tiktok", "TikTok Studio: Overview, Content, Viewers, FollowerHistory, "
               "FollowerActivity, FollowerGender, FollowerTopTerritories (CSV)"),),
             ("tiktok.com", "tiktok"), color="#7c3aed"),
    Platform(Network.MASTODON, "Mastodon", "", "",
             (("mastodon", "Mastodon API Status entities (JSON array or JSONL)"),),
             ("mastodon",), mention_format="mastodon", color="#f59e0b"),
    Platform(Network.BLUESKY, "Bluesky", "https://bsky.app/profile/{handle}/post/{post_id}",
             "https://bsky.app/profile/{handle}",
             (("bluesky", "Bluesky getAuthorFeed responses or postView objects (JSON, JSONL)"),),
             ("bsky.app", "bsky", "bluesky"), mention_format="bluesky", color="#0ea5e9"),
)}

if set(PLATFORMS) != set(Network):  # pragma: no cover - a new member without its entry
    raise RuntimeError("domain/platforms.py: every Network needs its Platform entry")

NETWORK_LABELS: dict[Network, str] = {n: p.label for n, p in PLATFORMS.items()}

#: Import formats of no one network: rows name their network (GA4 by traffic source) or a
#: mapping file says it (generic). Tried after the networks' formats; generic only on request.
CROSS_NETWORK_IMPORTS: tuple[ImportFormat, ...] = (
    ImportFormat("ga4", None, "Google Analytics 4 traffic acquisition by session source (CSV): "
                 "sessions, key events and revenue from social"),
    ImportFormat("generic", None, "Any CSV/XLSX with a mapping file (--mapping)"),
)

#: Every import format, in the order files are recognised.
IMPORT_FORMATS: tuple[ImportFormat, ...] = (
    *(ImportFormat(fid, p.network, label) for p in PLATFORMS.values()
      for fid, label in p.importers),
    *CROSS_NETWORK_IMPORTS,
)
FORMAT_IDS: tuple[str, ...] = tuple(f.id for f in IMPORT_FORMATS)


def import_format(fid: str) -> ImportFormat:
    """The registry entry of a format id (KeyError for an unknown one)."""
    for f in IMPORT_FORMATS:
        if f.id == fid:
            return f
    raise KeyError(fid)
