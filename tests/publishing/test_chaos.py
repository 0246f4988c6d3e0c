"""Chaos at CI size: 60 posts across 3 accounts, real workers SIGKILLed at random moments and
restarted, the fakes answering 429, 5xx and dropping answers after carrying requests out:
afterwards every post exists on its network exactly once, with its platform id recorded."""

from __future__ import annotations

from collections import Counter

from socialpulse.bootstrap import App
from socialpulse.domain.models import Network
from socialpulse.domain.publishing import PostStatus

from .chaos import run_chaos


def test_every_post_exactly_once_under_kills_and_faults(empty_app: App) -> None:
    res = run_chaos(empty_app, n=60, kills=4)
    assert res.kills == 4
    assert len(res.posts) == 60
    assert Counter(p.status for p in res.posts) == {PostStatus.PUBLISHED: 60}
    sends = [s for p in res.posts for s in p.sends]
    assert len(sends) == 60 and all(s.platform_id for s in sends)
    assert len({s.platform_id for s in sends}) == 60
    made = Counter[str]()
    for fake in res.mastodon:
        made.update(fake.texts())
    assert made == Counter(res.texts[Network.MASTODON])  # each once, none missing
    bodies = Counter(r["value"]["text"] for r in res.bluesky.records.values())
    assert bodies == Counter(res.texts[Network.BLUESKY])
    assert sum(f.dropped for f in res.mastodon) + res.bluesky.dropped >= 3  # faults happened
    published_ids = {s.platform_id for s in sends}
    lake = set()
    for slug in ("masto0", "masto1", "sky"):
        rows = empty_app.lake.read_latest(empty_app.workspace(slug).id, "posts").to_pylist()
        lake |= {r["post_id"] for r in rows}
    assert published_ids <= lake
