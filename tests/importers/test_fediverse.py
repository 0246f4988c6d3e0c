"""Mastodon JSONL with boosts and replies; Bluesky postView lists; counts as snapshots."""

from __future__ import annotations

import copy
import json

from socialpulse.services.imports import ImportOptions

from .conftest import SAMPLES, do_import, metric

STATUS = json.loads((SAMPLES / "mastodon" / "status_example_from_docs.json").read_text())
FEED = json.loads((SAMPLES / "bluesky" / "atproto_author-feed_self.json").read_text())


def test_mastodon_jsonl_with_boost_and_reply(home, ws, tmp_path):
    reply = copy.deepcopy(STATUS)
    reply.update(id="103270115826048999", in_reply_to_id="1", favourites_count=2,
                 replies_count=0, reblogs_count=0, quotes_count=0)
    boost = copy.deepcopy(STATUS)
    boost.update(id="103270115826049000", reblog=copy.deepcopy(STATUS))
    path = tmp_path / "statuses.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in (STATUS, reply, boost)) + "\n")
    res = do_import(home, ws, [(path, path.name)],
                    ImportOptions(observed_at=__import__("datetime").date(2019, 12, 31)))
    f = res.plan.files[0]
    assert f.skipped == {"boost of another account's post": 1}
    assert res.rows["posts"] == 2
    posts = {p["post_id"]: p for p in home.lake.read(ws.id, "posts").to_pylist()}
    assert posts["103270115826048999"]["post_type"] == "reply"
    assert posts["103270115826048975"]["text"].startswith('"I lost my inheritance')
    from socialpulse.domain.periods import parse_period

    t = home.metrics.compute(ws, [("likes", None)], period=parse_period("2019-12", "p"))
    assert t.records()[0]["likes"] == 13  # observed 2019-12-31: visible in December 2019


def test_mastodon_newer_snapshot_wins(home, ws, tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps([STATUS]))
    do_import(home, ws, [(path, path.name)], ImportOptions(observed_at=__import__(
        "datetime").date(2020, 1, 1)))
    later = copy.deepcopy(STATUS)
    later["favourites_count"] = 50
    path2 = tmp_path / "s2.json"
    path2.write_text(json.dumps([later]))
    do_import(home, ws, [(path2, path2.name)], ImportOptions(observed_at=__import__(
        "datetime").date(2020, 2, 1)))
    assert metric(home, ws, "likes") == 50
    assert metric(home, ws, "posts") == 1


def test_bluesky_post_view_list(home, ws, tmp_path):
    views = [it["post"] for it in FEED["feed"]]
    path = tmp_path / "posts.json"
    path.write_text(json.dumps(views))
    res = do_import(home, ws, [(path, path.name)])
    assert res.plan.files[0].format == "bluesky"
    assert res.rows["posts"] == len(views)
    assert metric(home, ws, "shares") == sum(v["repostCount"] + v["quoteCount"] for v in views)
    posts = home.lake.read(ws.id, "posts").to_pylist()
    assert all(p["url"].startswith("https://bsky.app/profile/alice.test/post/") for p in posts)
