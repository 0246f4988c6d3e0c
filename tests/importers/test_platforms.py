"""The platform registry (domain/platforms.py) is the one list of networks: the parsers, the
GA4 traffic sources, the listening formats and the labels all follow it."""

from __future__ import annotations

from socialpulse.adapters.connectors.base import FORMATS as MENTION_FORMATS
from socialpulse.adapters.importers import FORMATS, PARSERS
from socialpulse.adapters.importers.ga4 import SOCIAL_SOURCES
from socialpulse.domain.models import NETWORK_LABELS, Account
from socialpulse.domain.platforms import (
    FORMAT_IDS,
    IMPORT_FORMATS,
    PLATFORMS,
    Network,
    import_format,
)


def test_every_network_has_one_platform_and_a_label() -> None:
    assert list(PLATFORMS) == list(Network)
    assert NETWORK_LABELS[Network.LINKEDIN] == "LinkedIn"
    assert len(set(NETWORK_LABELS.values())) == len(Network)
    acc = Account(id=1, workspace_id=1, network=Network.TIKTOK, handle="@acme", name="Acme")
    assert acc.label == "TikTok @acme"


def test_every_import_format_has_exactly_one_parser_in_registry_order() -> None:
    assert sorted(PARSERS) == sorted(FORMAT_IDS)
    assert len(set(FORMAT_IDS)) == len(FORMAT_IDS)
    assert [(f.id, f.network, f.label) for f in FORMATS] == [
        (f.id, f.network, f.label) for f in IMPORT_FORMATS]
    # the networks' own formats first, then those of no one network (generic last: only on
    # request); a network's formats are its platform's
    assert FORMAT_IDS[-2:] == ("ga4", "generic")
    for f in IMPORT_FORMATS[:-2]:
        assert f.network is not None and f.id in dict(PLATFORMS[f.network].importers)
    assert import_format("meta-instagram").network is Network.INSTAGRAM


def test_ga4_sources_and_listening_formats_follow_the_registry() -> None:
    assert {n: p.traffic_sources for n, p in PLATFORMS.items()} == SOCIAL_SOURCES
    owners: dict[str, Network] = {}
    for n, sources in SOCIAL_SOURCES.items():
        for s in sources:
            assert owners.setdefault(s, n) is n, f"{s} names two networks"
    fediverse = [p.mention_format for p in PLATFORMS.values() if p.mention_format]
    assert fediverse == ["mastodon", "bluesky"]
    assert set(fediverse) <= set(MENTION_FORMATS)


def test_post_and_profile_links() -> None:
    x = PLATFORMS[Network.X]
    assert x.post_link("@acme", "123") == "https://x.com/acme/status/123"
    assert x.profile_link("@acme") == "https://x.com/acme"
    bsky = PLATFORMS[Network.BLUESKY].post_link("acme.bsky.social", "3k2")
    assert bsky == "https://bsky.app/profile/acme.bsky.social/post/3k2"
    assert PLATFORMS[Network.MASTODON].post_link("a@b.social", "9") == ""
