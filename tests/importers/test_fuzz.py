"""Parsers fuzzed with hypothesis: values round-trip, and broken files only ever raise the
one-line user error (InvalidInput), never a crash."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialpulse.adapters.importers import Context, Limits, Source, detect, x
from socialpulse.adapters.importers.base import assign_years, month_day, parse_number
from socialpulse.domain.errors import InvalidInput

from .conftest import SAMPLES

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@given(st.integers(min_value=0, max_value=10**15))
def test_counts_round_trip(n):
    assert parse_number(str(n)) == n
    assert parse_number(f"{n}.0") == n
    assert parse_number(f"{n:,}") == n
    assert parse_number(f'  {n} ') == n


@given(st.text(max_size=30))
def test_number_parser_only_raises_value_error(s):
    try:
        v = parse_number(s)
    except ValueError:
        return
    assert v is None or isinstance(v, float)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 1, 1)),
       st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=40))
def test_yearless_dates_recover_their_years(end, gaps):
    days = [end]
    for g in gaps:
        prev = days[-1] - timedelta(days=g)
        if (end - prev).days >= 365:
            break
        days.append(prev)
    days.reverse()
    labels = [f"{d:%B} {d.day}" for d in days]
    assert assign_years([month_day(s) for s in labels], end.year) == days


cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                           blacklist_characters="\x00\r"), max_size=60)
counts = st.one_of(st.just("-"), st.integers(min_value=0, max_value=10**9).map(lambda n: f"{n}.0"))


@FUZZ
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=2**62), cell_text, counts, counts,
                          st.datetimes(min_value=__import__("datetime").datetime(2010, 1, 1),
                                       max_value=__import__("datetime").datetime(2030, 1, 1))),
                min_size=1, max_size=25, unique_by=lambda r: r[0]))
def test_x_fast_and_slow_paths_agree(tmp_path_factory, rows):
    header = ["Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements",
              "likes", "retweets"]
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(header)
    for tid, text, imp, eng, when in rows:
        w.writerow([tid, f"https://twitter.com/fuzz/status/{tid}", text,
                    when.strftime("%Y-%m-%d %H:%M +0000"), imp, eng, "3.0", "-"])
    path = tmp_path_factory.mktemp("fz") / "tweets.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    ctx = Context(today=date(2030, 1, 1))  # every drawn time is a plausible date
    src = Source(path, path.name, Limits())
    fast = x._map_fast(x._read_fast(src, ctx), src, ctx)
    slow = x._map_slow(src, ctx)
    for a, b in zip(fast[:2], slow[:2], strict=True):
        assert a.combine_chunks().equals(b.combine_chunks()), (a, b)
    snaps = fast[1].to_pylist()
    for (tid, text, imp, _eng, _w), s in zip(rows, snaps, strict=True):
        assert s["post_id"] == str(tid)
        assert s["impressions"] == (None if imp == "-" else int(float(imp)))
    assert fast[0]["text"].to_pylist() == [text or None for _t, text, *_ in rows]


SAMPLE_FILES = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix != ".md"
                      and p.stat().st_size < 1_000_000)


@FUZZ
@given(st.sampled_from(SAMPLE_FILES), st.data())
def test_mutated_samples_fail_cleanly(tmp_path_factory, sample: Path, data):
    raw = bytearray(sample.read_bytes())
    op = data.draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
    at = data.draw(st.integers(min_value=0, max_value=max(len(raw) - 1, 0)))
    if op == "truncate":
        raw = raw[:at]
    elif op == "flip":
        for i in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=8)):
            raw[i] = data.draw(st.integers(0, 255))
    elif op == "insert":
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=64))
    else:
        raw[at:at + data.draw(st.integers(1, 500))] = b""
    path = tmp_path_factory.mktemp("mut") / sample.name
    path.write_bytes(bytes(raw))
    ctx = Context()
    src = Source(path, sample.name, Limits())
    try:
        fmt = detect(src, ctx)
        parsed = fmt.parse(src, ctx)
    except InvalidInput as exc:
        assert "\n" not in exc.message and exc.message.startswith(sample.name)
        return
    for t in (parsed.posts, parsed.snapshots, parsed.daily):
        assert t is None or isinstance(t, pa.Table)
