"""The outbox against the fakes: a post approved for Mastodon and Bluesky goes out once at
09:00 Madrid time on the day the clocks change, its platform ids are recorded, and it is a
post of its account in the lake at once; lost answers are looked up, never resent blindly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from socialpulse.domain.jobs import JobState
from socialpulse.domain.models import Network
from socialpulse.domain.publishing import PostStatus, Variant, record_key
from socialpulse.services.publishing import SEND
from tests.connectors.fakes import Fault

from .conftest import DID, ME
from .fakes import PublishingBluesky, PublishingMastodon
from .harness import PubHarness

NINE = datetime(2026, 3, 29, 9, 0)  # Madrid: clocks go forward at 02:00 that night


def _approved(ph: PubHarness, text: str, campaign: str = "") -> int:
    ws = ph.app.workspace("acme")
    post = ph.publishing.draft(ME, ws, [Variant(Network.MASTODON, text),
                                        Variant(Network.BLUESKY, text)], campaign=campaign)
    ph.publishing.submit(ME, ws, post.id)
    ph.publishing.approve(ME, ws, post.id, "fine")
    return int(post.id)


def _lake_posts(ph: PubHarness) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = ph.app.lake.read_latest(
        ph.app.workspace("acme").id, "posts").to_pylist()
    return rows


def test_goes_out_once_at_nine_local_and_lands_in_the_lake(
        ph: PubHarness, masto: PublishingMastodon, sky: PublishingBluesky) -> None:
    ws = ph.app.workspace("acme")
    pid = _approved(ph, "Spring is here https://shop.example/spring", campaign="spring")
    post = ph.publishing.schedule(ME, ws, pid, NINE)
    assert post.status is PostStatus.SCHEDULED
    assert post.scheduled_at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    runner = ph.runner()
    runner.drain(kinds=[SEND])
    assert masto.texts() == {} and sky.creates == 0  # not due yet
    ph.clock.advance(datetime(2026, 3, 29, 6, 59, tzinfo=UTC) - ph.clock.now())
    runner.drain(kinds=[SEND])
    assert masto.texts() == {}
    ph.clock.advance(timedelta(minutes=1))
    outcomes = runner.drain(kinds=[SEND])
    assert [o.state for o in outcomes] == [JobState.DONE, JobState.DONE]
    tagged = ("Spring is here https://shop.example/spring?utm_campaign=spring"
              "&utm_source={}&utm_medium=social")
    assert masto.texts() == {tagged.format("mastodon"): 1}
    rkey = record_key(ws.id, pid)
    assert sky.records[(DID, rkey)]["value"]["text"] == tagged.format("bluesky")
    post = ph.publishing.get(ws, pid)
    assert post.status is PostStatus.PUBLISHED
    ids = {s.network: s.platform_id for s in post.sends}
    assert ids[Network.BLUESKY] == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert ids[Network.MASTODON] == masto.statuses["1"][0]["id"]
    lake = {r["post_id"] for r in _lake_posts(ph)}
    assert ids[Network.MASTODON] in lake and ids[Network.BLUESKY] in lake
    ph.clock.advance(timedelta(minutes=10))  # the follow-ups run and find nothing to do
    later = runner.drain(kinds=[SEND])
    assert later and all("skipped" in (o.job.result or {}) or o.state is JobState.DONE
                         for o in later)
    assert masto.texts() == {tagged.format("mastodon"): 1} and sky.creates == 1


def test_lost_answers_are_looked_up_not_resent(
        ph: PubHarness, masto: PublishingMastodon, sky: PublishingBluesky) -> None:
    ws = ph.app.workspace("acme")
    pid = _approved(ph, "Lost answer")
    ph.publishing.schedule(ME, ws, pid, NINE)
    masto.drop_after_accept = sky.drop_after_accept = 1
    masto.faults.append(Fault("/api/v1/statuses", 503, b'{"error": "unavailable"}'))
    sky.faults.append(Fault("/xrpc/com.atproto.repo.createRecord", 429,
                            b'{"error": "RateLimitExceeded", "message": "slow"}',
                            {"Retry-After": "30"}))
    ph.clock.advance(timedelta(days=2))
    ph.runner().drain(kinds=[SEND])
    assert masto.dropped == sky.dropped == 1
    assert masto.texts() == {"Lost answer": 1} and sky.creates == 1
    post = ph.publishing.get(ws, pid)
    assert post.status is PostStatus.PUBLISHED
    assert all(s.platform_id and s.attempts == 1 for s in post.sends)
    results = [j.result for j in ph.base.jobs.recent()
               if j.kind == SEND and j.result is not None and "platform_id" in j.result]
    assert len(results) == 2
    assert {bool(r["found_on_network"]) for r in results} == {True}


def test_a_refusal_fails_the_send_with_the_networks_words(
        ph: PubHarness, masto: PublishingMastodon) -> None:
    ws = ph.app.workspace("acme")
    pid = _approved(ph, "Refused")
    ph.publishing.schedule(ME, ws, pid, NINE)
    masto.faults.append(Fault("/api/v1/statuses", 422,
                              b'{"error": "Validation failed: Text is spam"}'))
    ph.clock.advance(timedelta(days=2))
    ph.runner().drain(kinds=[SEND])
    post = ph.publishing.get(ws, pid)
    sends = {s.network: s for s in post.sends}
    assert sends[Network.MASTODON].status is PostStatus.FAILED
    assert "Text is spam" in sends[Network.MASTODON].error
    assert sends[Network.BLUESKY].status is PostStatus.PUBLISHED
    assert post.status is PostStatus.FAILED
    assert masto.texts() == {}
