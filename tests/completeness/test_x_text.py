"""X exports write tweet text with HTML entities; socialpulse stores it as X shows it."""

from __future__ import annotations

import csv
import html

from tests.importers.conftest import SAMPLES, do_import, sample_files

NAME = "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"


def test_x_text_is_stored_decoded(home, ws):
    with open(SAMPLES / "x" / NAME, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    encoded = {r["Tweet id"]: r["Tweet text"] for r in rows if "&amp;" in r["Tweet text"]}
    assert encoded  # the real sample has "&amp;" in several tweets
    do_import(home, ws, sample_files("x", NAME))
    stored = {r["post_id"]: r["text"] for r in home.lake.read(ws.id, "posts").to_pylist()}
    for tweet_id, raw in encoded.items():
        assert stored[tweet_id] == html.unescape(raw)
        assert "&amp;" not in stored[tweet_id] and "&" in stored[tweet_id]
