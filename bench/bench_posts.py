"""Benchmark: a page of the Posts list (best 50 of a year by engagements) on 10M snapshot rows.

socialpulse (`PostsService.list`: Ibis -> DuckDB over the lake, with the metrics' read rules)
against, in the same run and on the same Parquet files:

- a hand-written DuckDB SQL query that returns the same columns (post, counters, engagement
  rate, total matching), picking each post's snapshot with a window as the rule reads; the two
  answers (the 50 post ids in order, and the number of posts matching) are compared before
  any timing is reported;
- ONE SCAN: every column the page reads (the snapshots' keys, counters and validity
  intervals, the posts' keys, times, text and links) read once and counted, nothing chosen,
  joined or sorted: the floor for any query that reads them.

The lake is the one `bench_metrics.py` builds (generated when missing). Each figure is the best
of three runs of a fresh question (the service's memo is bypassed: `PostsService.list` on the
same data would answer the repeat from memory).

    python -m bench.bench_posts [--rows 10000000]

Writes posts_page_vs_duckdb_sql and posts_page_vs_one_scan to bench/results.json (see
bench/results.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from bench.bench_metrics import LATEST_SNAPSHOT, PERIOD, build_home  # noqa: E402
from bench.results import best_of, record  # noqa: E402
from socialpulse.domain.query import Scope, ScopeKind  # noqa: E402
from socialpulse.services.versioned import VersionedMemo  # noqa: E402

LIMIT = 50

HAND_SQL = """
WITH snaps AS (
  SELECT account_id, post_id, observed_at, impressions, reach, engagements, likes, comments,
         shares, clicks, video_views, saves
  FROM read_parquet($snaps)
  {latest_snapshot}
), posts AS (
  SELECT account_id, post_id, published_at, local_date, post_type, text, url, campaign
  FROM read_parquet($posts)
  QUALIFY row_number() OVER (PARTITION BY account_id, post_id ORDER BY batch_id DESC) = 1
)
SELECT count(*) OVER () AS total, p.*, s.* EXCLUDE (account_id, post_id),
       CASE WHEN s.impressions > 0 THEN s.engagements * 100.0 / s.impressions END AS rate
FROM posts p LEFT JOIN snaps s USING (account_id, post_id)
WHERE p.local_date >= $start AND p.local_date <= $end
ORDER BY s.engagements IS NULL, s.engagements DESC, p.published_at DESC, p.post_id
LIMIT $limit
"""

ONE_SCAN = """
SELECT * FROM
  (SELECT count(account_id), count(post_id), count(observed_at), sum(impressions), sum(reach),
          sum(engagements), sum(likes), sum(comments), sum(shares), sum(clicks),
          sum(video_views), sum(saves), count(valid_from), count(valid_to),
          count(post_local_date), count(post_found)
   FROM read_parquet($snaps, union_by_name = true)) s,
  (SELECT count(account_id), count(post_id), count(published_at), count(local_date),
          count(post_type), count(text), count(url), count(campaign)
   FROM read_parquet($posts, union_by_name = true)) p
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    args = ap.parse_args()
    home = args.data / f"metrics-{args.rows}"
    if not (home / "socialpulse.toml").exists():
        print(f"generating {args.rows:,} post-snapshot rows in {home} ...", flush=True)
        build_home(home, args.rows)

    import duckdb

    from socialpulse.bootstrap import open_home
    from socialpulse.domain.periods import DateRange
    from socialpulse.settings import Settings

    app = open_home(Settings(home=home))
    ws = app.workspace("bench")
    period = DateRange(*PERIOD)

    def ours() -> tuple[list[str], int]:
        app.metrics._results = VersionedMemo(1)  # a fresh question each time (no memo)
        page = app.posts.list(ws, period, scope=Scope(ScopeKind.ALL), sort="engagements",
                              limit=LIMIT)
        return [r["post_id"] for r in page.rows], page.total

    con = duckdb.connect()
    sql = HAND_SQL.format(latest_snapshot=LATEST_SNAPSHOT)
    params: dict[str, Any] = {
        "snaps": [str(p) for p in app.lake.files(ws.id, "post_snapshots")],
        "posts": [str(p) for p in app.lake.files(ws.id, "posts")],
        "cutoff": datetime.combine(PERIOD[1] + timedelta(days=1), datetime.min.time(), UTC),
        "start": PERIOD[0], "end": PERIOD[1], "limit": LIMIT,
    }

    def theirs() -> tuple[list[str], int]:
        table = con.execute(sql, params).to_arrow_table()  # whole rows, as ours
        ids = table["post_id"].to_pylist()
        return ids, int(table["total"][0].as_py()) if ids else 0

    a, b = ours(), theirs()  # warm-up, and the answers we compare
    if a != b:
        raise SystemExit(f"socialpulse and the hand-written SQL disagree: {a[1]} vs {b[1]} "
                         f"posts; first ids {a[0][:3]} vs {b[0][:3]}")
    def one_scan() -> None:
        con.execute(ONE_SCAN, {"snaps": params["snaps"], "posts": params["posts"]}).fetchall()

    t0 = time.perf_counter()
    value, baseline, scan = best_of(ours), best_of(theirs), best_of(one_scan)
    print(f"posts page: socialpulse {value:.3f}s, DuckDB SQL {baseline:.3f}s, one scan "
          f"{scan:.3f}s ({a[1]:,} posts in the period; measured in "
          f"{time.perf_counter() - t0:.0f}s)")
    record("posts_page_vs_duckdb_sql", value, baseline, "seconds", rows=args.rows)
    record("posts_page_vs_one_scan", value, scan, "seconds", rows=args.rows,
           baseline_what="one scan of every column the page reads, same files, same run")
    app.store.dispose()


if __name__ == "__main__":
    main()
