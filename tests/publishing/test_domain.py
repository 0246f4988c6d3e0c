"""The publishing domain: limits counted as each network counts, DST, UTM links, the workflow."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from socialpulse.domain.actor import Action, Actor, ActorKind, allowed
from socialpulse.domain.errors import Conflict, InvalidInput
from socialpulse.domain.platforms import Network
from socialpulse.domain.publishing import (
    LIMITS,
    Media,
    PostStatus,
    Variant,
    check_move,
    check_post,
    count_graphemes,
    length,
    local_to_utc,
    problems,
    record_key,
    tagged,
    with_utm,
)
from socialpulse.domain.roles import Role

MADRID = ZoneInfo("Europe/Madrid")


def test_mastodon_counts_each_link_as_23() -> None:
    url = "https://example.org/" + "a" * 200
    text = "x" * 470 + " " + url
    assert length(text, LIMITS[Network.MASTODON]) == 471 + 23
    assert problems(Variant(Network.MASTODON, text)) == []
    assert problems(Variant(Network.MASTODON, "x" * 501)) == ["Mastodon: 501 characters "
                                                              "(at most 500)"]


def test_bluesky_counts_graphemes() -> None:
    family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"  # one family emoji, 5 code points
    flag = "\U0001F1EA\U0001F1F8"  # one flag, 2 code points
    accent = "e\u0301"  # e + combining accent
    assert count_graphemes(family + flag + accent + "ab") == 5
    assert problems(Variant(Network.BLUESKY, family * 300)) == []
    assert problems(Variant(Network.BLUESKY, "a" * 301)) == ["Bluesky: 301 graphemes "
                                                             "(at most 300)"]


def test_every_problem_is_listed() -> None:
    big = Media("clip.png", 2_000_000, "")
    v = Variant(Network.BLUESKY, "a" * 301, ("ftp://x",), (big,) * 5)
    found = problems(v)
    assert "Bluesky: 5 media (at most 4)" in found
    assert found.count("Bluesky: clip.png: alt text is missing") == 5
    assert found.count("Bluesky: clip.png: 2,000,000 bytes (at most 1,000,000)") == 5
    assert any("link 'ftp://x'" in p for p in found)
    assert any("graphemes" in p for p in found)
    assert check_post([]) == ["the post has no network: add a variant for mastodon or bluesky"]
    two = check_post([Variant(Network.MASTODON, "a"), Variant(Network.MASTODON, "b")])
    assert two == ["mastodon: two variants for one network"]


def test_utm_parameters() -> None:
    got = with_utm("https://shop.example/p?id=3&utm_source=old#top", "spring sale",
                   Network.MASTODON)
    assert got == ("https://shop.example/p?id=3&utm_campaign=spring%20sale"
                   "&utm_source=mastodon&utm_medium=social#top")
    assert with_utm("https://a.example", "", Network.BLUESKY) == "https://a.example"
    v = tagged(Variant(Network.BLUESKY, "see https://a.example/x now", ("https://b.example",)),
               "c1")
    assert v.text == ("see https://a.example/x?utm_campaign=c1&utm_source=bluesky"
                      "&utm_medium=social now")
    assert v.links == ("https://b.example?utm_campaign=c1&utm_source=bluesky"
                       "&utm_medium=social",)


def test_nine_on_the_dst_change_days_is_nine_local() -> None:
    spring = local_to_utc(datetime(2026, 3, 29, 9, 0), MADRID, "Europe/Madrid")
    autumn = local_to_utc(datetime(2026, 10, 25, 9, 0), MADRID, "Europe/Madrid")
    assert spring == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # CEST, +02:00
    assert autumn == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # CET, +01:00
    assert spring.astimezone(MADRID).hour == autumn.astimezone(MADRID).hour == 9


def test_gap_is_refused_and_fold_is_explicit() -> None:
    with pytest.raises(InvalidInput, match="does not exist in Europe/Madrid.*03:00 or later"):
        local_to_utc(datetime(2026, 3, 29, 2, 30), MADRID, "Europe/Madrid")
    first = local_to_utc(datetime(2026, 10, 25, 2, 30), MADRID, "Europe/Madrid")
    second = local_to_utc(datetime(2026, 10, 25, 2, 30), MADRID, "Europe/Madrid", later=True)
    assert (second - first).total_seconds() == 3600
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_workflow_moves() -> None:
    check_move(1, PostStatus.DRAFT, PostStatus.SUBMITTED)
    check_move(1, PostStatus.SCHEDULED, PostStatus.CANCELLED)
    with pytest.raises(Conflict, match="post 7: is waiting for approval; it cannot become "
                                       "scheduled"):
        check_move(7, PostStatus.SUBMITTED, PostStatus.SCHEDULED)
    with pytest.raises(Conflict):
        check_move(7, PostStatus.SENDING, PostStatus.CANCELLED)


def test_record_key_is_tid_shaped_and_distinct() -> None:
    import re
    keys = {record_key(w, p) for w in (1, 2, 3) for p in range(1, 400)}
    assert len(keys) == 3 * 399
    assert all(re.fullmatch(r"[234567abcdefghij][234567a-z]{12}", k) for k in keys)
    assert record_key(1, 5) == record_key(1, 5)


@pytest.mark.parametrize(("role", "draft", "approve"), [
    (Role.OWNER, True, True), (Role.ADMIN, True, True), (Role.PUBLISHER, True, False),
    (Role.APPROVER, False, True), (Role.ANALYST, False, False), (Role.AGENT, False, False),
    (Role.VIEWER, False, False)])
def test_publishing_grants(role: Role, draft: bool, approve: bool) -> None:
    who = Actor("user:1", "ana", ActorKind.USER, user_id=1, roles=(("acme", role),))
    assert allowed(who, Action.PUBLISH_DRAFT, "acme") is draft
    assert allowed(who, Action.PUBLISH_APPROVE, "acme") is approve
    assert not allowed(who, Action.PUBLISH_DRAFT, "other")
