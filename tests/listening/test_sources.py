"""File sources on real samples: Mastodon Status JSON, Bluesky author feed, JSONL and CSV."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialpulse.adapters.connectors import MentionSource, detect_format, open_source
from socialpulse.adapters.connectors.files import html_to_text
from socialpulse.domain.errors import InvalidInput

SAMPLES = Path(__file__).parents[1] / "data" / "samples" / "listening"


def test_mastodon_status_sample() -> None:
    path = SAMPLES / "mastodon_status.json"
    assert detect_format(path) == "mastodon"
    src = open_source(path)
    assert isinstance(src, MentionSource)
    [m] = list(src)
    assert m.network == "mastodon"
    assert m.mention_id == "mastodon:https://mastodon.social/users/Gargron/statuses/103270115826048975"
    assert m.author == "@Gargron" and m.author_followers == 322930
    assert m.published_at == datetime(2019, 12, 8, 3, 48, 33, 901000, tzinfo=UTC)
    assert m.lang == "en"
    # HTML is gone, entities decoded, the hidden "https://www." part of the link dropped
    assert m.text.startswith('"I lost my inheritance with one wrong digit on my sort code"')
    assert "<p>" not in m.text and "&quot;" not in m.text
    assert "theguardian.com/money/2019/dec" in m.text


def test_mastodon_array_jsonl_and_reblog(tmp_path: Path) -> None:
    status = json.loads((SAMPLES / "mastodon_status.json").read_text())
    boost = {**status, "id": "999", "uri": "https://x.example/boost/999", "content": "",
             "reblog": status}
    arr = tmp_path / "timeline.json"
    arr.write_text(json.dumps([status, boost]))
    ids = [m.mention_id for m in open_source(arr, "mastodon")]
    assert ids == [ids[0], ids[0]]  # a boost is the boosted status: one mention after dedup
    lines = tmp_path / "stream.jsonl"
    lines.write_text(json.dumps(status) + "\n" + json.dumps(status) + "\n")
    assert len(list(open_source(lines, "mastodon"))) == 2


def test_bluesky_author_feed_sample() -> None:
    path = SAMPLES / "bluesky_author_feed.json"
    assert detect_format(path) == "bluesky"
    ms = list(open_source(path))
    assert [m.text for m in ms] == ["thanks bob", "yoohoo label_me", "again", "hey there"]
    assert all(m.network == "bluesky" and m.author == "@alice.test" for m in ms)
    assert len({m.mention_id for m in ms}) == 4


def test_jsonl_and_csv_with_aliases() -> None:
    j = list(open_source(SAMPLES / "mentions.jsonl"))
    assert len(j) == 5 and j[0].mention_id == "t-1" and j[0].author_followers == 1840
    # an offset is converted to UTC
    assert j[1].published_at == datetime(2026, 10, 20, 9, 2, tzinfo=UTC)
    c = list(open_source(SAMPLES / "mentions.csv"))
    assert [m.mention_id for m in c] == ["c-1", "c-2", "c-3"]
    assert c[0].author_followers == 5120 and c[1].network == "facebook"
    assert c[0].published_at.tzinfo is not None


def test_derived_ids_are_stable(tmp_path: Path) -> None:
    p = tmp_path / "no_ids.jsonl"
    p.write_text('{"text": "acme", "created_at": "2026-01-01T00:00:00Z", "author": "a"}\n')
    a = list(open_source(p, network="x"))
    b = list(open_source(p, network="x"))
    assert a[0].mention_id == b[0].mention_id and a[0].mention_id.startswith("h:")


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        ('{"text": "hi", "published_at": "2026-01-01", "network": "x"}\n{"text": "x"\n', "jsonl",
         ":2: invalid JSON at column"),
        ('{"published_at": "2026-01-01", "network": "x"}\n', "jsonl", ":1: text: missing"),
        ('{"text": "hi", "published_at": "yesterday", "network": "x"}\n', "jsonl",
         ":1: published_at: 'yesterday' is not an ISO 8601 time"),
        ('{"text": "hi", "published_at": "2026-01-01"}\n', "jsonl", ":1: network: missing"),
        ('{"text": "hi", "published_at": "2026-01-01", "network": "myspace"}\n', "jsonl",
         "network: unknown network 'myspace'"),
        ('{"text": "hi", "published_at": "2026-01-01", "network": "x", "followers": "many"}\n',
         "jsonl", ":1: followers: 'many' is not a number"),
        ("id,text,published_at,network\n1,hi,2026-01-01,x,extra\n", "csv",
         ":2: more values than header columns"),
        ('[{"id": "1"}]', "mastodon", "item 1: created_at: missing"),
        ('{"feed": [{"nopost": 1}]}', "bluesky", "feed[0]: post: missing"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path: Path, content: str, fmt: str,
                                         message: str) -> None:
    p = tmp_path / f"bad.{'csv' if fmt == 'csv' else 'json'}"
    p.write_text(content)
    with pytest.raises(InvalidInput) as exc:
        list(open_source(p, fmt))
    assert str(p) in exc.value.message
    assert message in exc.value.message


def test_missing_empty_and_unknown(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        open_source(tmp_path / "nope.jsonl")
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(InvalidInput, match="empty"):
        detect_format(empty)
    with pytest.raises(InvalidInput, match="unknown format"):
        open_source(SAMPLES / "mentions.jsonl", "xml")


def test_html_to_text() -> None:
    assert html_to_text("<p>a &amp; b</p><p>c<br>d</p>") == "a & b\n\nc\nd"
