"""Publishing as values: a post with one variant per network, each network's limits as data,
the checks that list every problem, the workflow's statuses, local times in a zone, UTM links.

Pure: no clock (the service passes "now"), no zone database (the service resolves an IANA name
to a `tzinfo` and passes it), no URL library (links are tagged by plain string rules, so the
same text is counted and published).

Why limits as data: the composer, the CLI, the API and the outbox all ask the same question
("does this variant fit?"), and a network changing its limit (Mastodon instances raise theirs)
is one entry here, not a check in three places.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

from .connections import ConnectorError
from .errors import Conflict, InvalidInput
from .platforms import Network


class PostStatus(StrEnum):
    """Where a post is in the workflow (stored by value; people read `words`)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PUBLISHED = "published"
    FAILED = "failed"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"

    @property
    def words(self) -> str:
        return {"unknown": "outcome unknown: a person must check the network",
                "submitted": "waiting for approval"}.get(self.value, self.value)


#: The moves the workflow allows (anything else is a `Conflict` naming both statuses).
#: A rejected post goes back to draft when edited; a scheduled post may be cancelled until
#: its send is claimed (then it is "sending" and only the outbox moves it).
TRANSITIONS: Mapping[PostStatus, frozenset[PostStatus]] = {
    PostStatus.DRAFT: frozenset({PostStatus.SUBMITTED, PostStatus.DRAFT,
                                 PostStatus.CANCELLED}),
    PostStatus.SUBMITTED: frozenset({PostStatus.APPROVED, PostStatus.REJECTED,
                                     PostStatus.DRAFT, PostStatus.CANCELLED}),
    PostStatus.REJECTED: frozenset({PostStatus.DRAFT, PostStatus.CANCELLED}),
    PostStatus.APPROVED: frozenset({PostStatus.SCHEDULED, PostStatus.DRAFT,
                                    PostStatus.CANCELLED}),
    PostStatus.SCHEDULED: frozenset({PostStatus.SENDING, PostStatus.CANCELLED,
                                     PostStatus.SCHEDULED}),
    PostStatus.SENDING: frozenset({PostStatus.PUBLISHED, PostStatus.FAILED,
                                   PostStatus.UNKNOWN}),
    PostStatus.PUBLISHED: frozenset(),
    PostStatus.FAILED: frozenset(),
    PostStatus.UNKNOWN: frozenset({PostStatus.PUBLISHED, PostStatus.FAILED}),
    PostStatus.CANCELLED: frozenset(),
}


def check_move(post_id: int, current: PostStatus, target: PostStatus) -> None:
    """Raise `Conflict` when the workflow does not allow ``current -> target``."""
    if target not in TRANSITIONS[current]:
        raise Conflict(f"post {post_id}: is {current.words}; it cannot become {target.words}")


class Counting(StrEnum):
    CHARACTERS = "characters"  # Unicode code points (Mastodon)
    GRAPHEMES = "graphemes"  # what a reader sees as one character (Bluesky)


@dataclass(frozen=True)
class NetworkLimits:
    """What one network accepts in one post."""

    max_length: int
    counting: Counting
    url_length: int | None  # every link counts as this many (None: as written)
    max_media: int
    max_media_bytes: int
    alt_required: bool = True


#: Mastodon's defaults (an instance may allow more: 500 is what every instance accepts);
#: Bluesky's app.bsky.feed.post: 300 graphemes, 4 images of at most 1,000,000 bytes.
LIMITS: Mapping[Network, NetworkLimits] = {
    Network.MASTODON: NetworkLimits(500, Counting.CHARACTERS, 23, 4, 16 * 1024 * 1024),
    Network.BLUESKY: NetworkLimits(300, Counting.GRAPHEMES, None, 4, 1_000_000),
}

PUBLISHABLE: tuple[Network, ...] = tuple(LIMITS)

_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Media:
    """An image or video attached to a variant: its name, size and alt text."""

    name: str
    size_bytes: int
    alt: str = ""


@dataclass(frozen=True)
class Variant:
    """What goes to one network: text, links appended one per line, media with alt texts."""

    network: Network
    text: str
    links: tuple[str, ...] = ()
    media: tuple[Media, ...] = ()
    connection_id: int = 0  # the connected own account it goes out from (0: not chosen yet)


@dataclass(frozen=True)
class Post:
    """A post as stored: status, campaign, the local time and zone it is scheduled for (and
    the UTC instant they mean), its variants and the approver's comment."""

    id: int
    workspace_id: int
    status: PostStatus
    author: str
    campaign: str = ""
    goal: str = ""
    scheduled_local: datetime | None = None  # naive wall time in `zone`
    zone: str = ""
    scheduled_at: datetime | None = None  # UTC
    comment: str = ""
    variants: tuple[Variant, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sends: tuple[Send, ...] = field(default=())

    def variant(self, network: Network) -> Variant | None:
        return next((v for v in self.variants if v.network is network), None)


@dataclass(frozen=True)
class Send:
    """One (post, network) send of the outbox: its status, tries, and the platform's answer."""

    post_id: int
    network: Network
    status: PostStatus
    attempts: int = 0
    job_id: int | None = None
    platform_id: str = ""
    url: str = ""
    error: str = ""
    sent_at: datetime | None = None
    generation: int = 1


def overall(sends: Sequence[PostStatus]) -> PostStatus:
    """A scheduled post's status from its sends': sending while any is on its way, then a
    person's attention (unknown) or a failure before published, so nothing hides."""
    got = set(sends)
    if PostStatus.SENDING in got or (PostStatus.SCHEDULED in got and len(got) > 1):
        return PostStatus.SENDING
    for status in (PostStatus.SCHEDULED, PostStatus.UNKNOWN, PostStatus.FAILED,
                   PostStatus.PUBLISHED):
        if status in got:
            return status
    return PostStatus.CANCELLED


@dataclass(frozen=True)
class Published:
    """What a network answered for a published post: its id (Mastodon status id, Bluesky
    at:// URI), its public link, when, and the network's own JSON for the lake's importer."""

    platform_id: str
    url: str
    published_at: datetime
    raw: Mapping[str, object] = field(default_factory=dict)


class OutcomeUnknown(ConnectorError):
    """The request left but no answer came (a timeout after sending): whether the post exists
    is unknown until the network is asked."""


# --- counting and checks -------------------------------------------------------------------

def _joins(ch: str, prev: str) -> bool:
    """Whether ``ch`` continues the grapheme that ``prev`` belongs to (a close approximation
    of UAX #29 without a table: marks, joiners, variation selectors, skin tones)."""
    code = ord(ch)
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Mc"):
        return True
    if code == 0x200D or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF:
        return True
    if 0xE0020 <= code <= 0xE007F:  # tag characters (subdivision flags)
        return True
    return prev != "" and ord(prev) == 0x200D  # the character after a zero-width joiner


def count_graphemes(text: str) -> int:
    """How many user-perceived characters ``text`` holds (as Bluesky counts its limit)."""
    count = 0
    prev = ""
    regional = 0
    for ch in text:
        if 0x1F1E6 <= ord(ch) <= 0x1F1FF:  # regional indicators pair into one flag
            regional += 1
            if regional % 2 == 0:
                prev = ch
                continue
        else:
            regional = 0
        if prev and _joins(ch, prev):
            prev = ch
            continue
        count += 1
        prev = ch
    return count


def full_text(variant: Variant) -> str:
    """The text as published: the variant's text, then each link on its own line."""
    return "\n".join([variant.text.strip(), *variant.links]).strip()


def length(text: str, limits: NetworkLimits) -> int:
    """The text's length as the network counts it (Mastodon: each URL as 23 characters)."""
    if limits.counting is Counting.GRAPHEMES:
        return count_graphemes(text)
    if limits.url_length is None:
        return len(text)
    return len(_URL.sub("", text)) + limits.url_length * len(_URL.findall(text))


def problems(variant: Variant, limits: NetworkLimits | None = None) -> list[str]:
    """Every reason the network would refuse this variant, one line each (empty: it fits)."""
    lim = limits or LIMITS.get(variant.network)
    label = variant.network.value.capitalize()
    if lim is None:
        return [f"{label}: publishing to this network is not supported"]
    out = []
    text = full_text(variant)
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        out.append(f"{label}: the text holds control characters")
    if not text and not variant.media:
        out.append(f"{label}: the post is empty")
    n = length(text, lim)
    if n > lim.max_length:
        out.append(f"{label}: {n} {lim.counting.value} (at most {lim.max_length})")
    if len(variant.media) > lim.max_media:
        out.append(f"{label}: {len(variant.media)} media (at most {lim.max_media})")
    for m in variant.media:
        if m.size_bytes > lim.max_media_bytes:
            out.append(f"{label}: {m.name}: {m.size_bytes:,} bytes (at most "
                       f"{lim.max_media_bytes:,})")
        if lim.alt_required and not m.alt.strip():
            out.append(f"{label}: {m.name}: alt text is missing")
    for link in variant.links:
        if not _URL.fullmatch(link):
            out.append(f"{label}: link {link[:60]!r} is not an http(s) address")
    return out


def check_post(variants: Sequence[Variant]) -> list[str]:
    """Every problem of every variant, plus a post with no variant or two for one network."""
    if not variants:
        return ["the post has no network: add a variant for mastodon or bluesky"]
    out = []
    seen: set[Network] = set()
    for v in variants:
        if v.network in seen:
            out.append(f"{v.network.value}: two variants for one network")
        seen.add(v.network)
        out.extend(problems(v))
    return out


# --- links ---------------------------------------------------------------------------------

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _quote(text: str) -> str:
    return "".join(ch if ch in _SAFE else "".join(f"%{b:02X}" for b in ch.encode())
                   for ch in text)


def with_utm(url: str, campaign: str, network: Network) -> str:
    """``url`` with utm_campaign, utm_source (the network) and utm_medium=social, so visits
    it brings are attributed in GA4; existing utm_* parameters are replaced, others kept,
    the fragment stays last. No campaign: the link as written."""
    if not campaign.strip():
        return url
    base, hash_, fragment = url.partition("#")
    path, _, query = base.partition("?")
    kept = [p for p in query.split("&") if p and not p.lower().startswith("utm_")]
    kept += [f"utm_campaign={_quote(campaign.strip())}", f"utm_source={network.value}",
             "utm_medium=social"]
    return f"{path}?{'&'.join(kept)}{hash_}{fragment}"


def tagged(variant: Variant, campaign: str) -> Variant:
    """The variant with every link (in its text and its links) carrying the UTM parameters."""
    def tag(m: re.Match[str]) -> str:
        return with_utm(m.group(0), campaign, variant.network)
    return Variant(variant.network, _URL.sub(tag, variant.text),
                   tuple(with_utm(u, campaign, variant.network) for u in variant.links),
                   variant.media, variant.connection_id)


# --- time ----------------------------------------------------------------------------------

def local_to_utc(local: datetime, zone: tzinfo, zone_name: str, *, later: bool = False
                 ) -> datetime:
    """The UTC instant of a wall time in a zone, with DST handled explicitly.

    A wall time that happens twice (the autumn fold) means its first occurrence unless
    ``later``; one that never happens (the spring gap) is refused with the first valid time,
    rather than silently shifted by an hour."""
    if local.tzinfo is not None:
        raise InvalidInput(f"scheduled time {local:%Y-%m-%d %H:%M}: give a local time without "
                           "an offset; the zone says which")
    aware = local.replace(tzinfo=zone, fold=1 if later else 0)
    try:
        instant = aware.astimezone(UTC)
        back = instant.astimezone(zone).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise InvalidInput(f"scheduled time {local:%Y-%m-%d %H:%M} is out of range") from None
    if back != local:
        first = (local + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        raise InvalidInput(f"scheduled time {local:%Y-%m-%d %H:%M} does not exist in "
                           f"{zone_name} (the clocks go forward that night); choose "
                           f"{first:%H:%M} or later")
    return instant


def is_ambiguous(local: datetime, zone: tzinfo) -> bool:
    """Whether this wall time happens twice in the zone (the autumn fold)."""
    first = local.replace(tzinfo=zone, fold=0).utcoffset()
    second = local.replace(tzinfo=zone, fold=1).utcoffset()
    return first != second


# --- the outbox's keys ---------------------------------------------------------------------

_TID = "234567abcdefghijklmnopqrstuvwxyz"  # atproto's sortable base32


def send_key(post_id: int, network: Network) -> str:
    """The queue key of a (post, network) send: one job however often it is queued."""
    return f"publish:{post_id}:{network.value}"


def idempotency_key(workspace_id: int, post_id: int, network: Network) -> str:
    """What the network sees as this send's identity (Mastodon's Idempotency-Key): the same
    for every try, different for every post, workspace and network."""
    return f"socialpulse-{workspace_id}-{post_id}-{network.value}"


def record_key(workspace_id: int, post_id: int) -> str:
    """A deterministic Bluesky rkey, TID-shaped (13 characters of sortable base32), so a
    resend writes the same record: a 53-bit counter from workspace and post, clock id 0."""
    value = ((workspace_id & 0x1FFFFF) << 32 | (post_id & 0xFFFFFFFF)) << 10
    chars = []
    for _ in range(13):
        chars.append(_TID[value & 31])
        value >>= 5
    return "".join(reversed(chars))
