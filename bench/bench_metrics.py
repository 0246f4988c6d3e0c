"""Benchmark: the Overview metric set on 10M post-snapshot rows.

socialpulse (catalogue -> Ibis -> DuckDB over the lake) against, in the same run and on the same
Parquet files, a hand-written DuckDB SQL query and a pandas implementation. Each contender runs in
its own process (best of 3 after a warm-up) so peak memory is measured per contender. The three
answers are compared before any timing is reported.

    python bench/bench_metrics.py [--rows 10000000]

Writes to bench/results.json (see bench/results.py); each value is the best wall time of one
"Overview": the KPI query (6 metrics over the last 12 months) plus the weekly trend by network:

- ``overview_vs_one_scan``: socialpulse against ONE SCAN, the floor: DuckDB reading the same
  Parquet files once (snapshots, posts, daily rows), summing the measure columns the Overview
  reads and counting its keys, in one statement, without choosing any snapshot. The issue's
  target is a ratio of at most 2.
- ``overview_vs_duckdb_sql``: against the hand-written DuckDB query that picks each post's
  snapshot with a ROW_NUMBER window (the rule as SQL, no stored intervals): what the Overview
  cost before snapshots carried validity intervals.
- ``overview_vs_pandas``: against pandas; ``overview_peak_memory_*``: peak resident memory of
  each contender's process.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from bench.results import peak_rss_mb, record  # noqa: E402

KPIS = [
    "impressions",
    "engagements",
    "engagement_rate",
    "followers",
    "audience_growth_rate",
    "amplification_rate",
]
ACCOUNTS = 40
DAYS = 730
START = date(2024, 11, 1)
PERIOD = (date(2025, 11, 1), date(2026, 10, 31))  # the last 12 months of data
SNAPSHOTS_PER_POST = 4


# --- data -----------------------------------------------------------------------------------


def build_home(home: Path, rows: int) -> None:
    """A deterministic lake: rows/4 posts with 4 lifetime snapshots each, daily followers."""
    from socialpulse.bootstrap import open_home
    from socialpulse.domain.models import Network
    from socialpulse.settings import Settings

    app = open_home(Settings(home=home), create=True)
    ws = app.store.create_workspace("bench", "Bench", "UTC", ["en"])
    nets = [Network.X, Network.INSTAGRAM, Network.FACEBOOK, Network.LINKEDIN]
    ids = np.array(
        [app.store.ensure_account(ws.id, nets[i % 4], f"@acc{i}").id for i in range(ACCOUNTS)],
        dtype=np.int64,
    )
    rng = np.random.default_rng(7)
    n_posts = rows // SNAPSHOTS_PER_POST
    acc = ids[rng.integers(0, ACCOUNTS, n_posts)]
    day = rng.integers(0, DAYS, n_posts)
    base_us = int(datetime(START.year, START.month, START.day, tzinfo=UTC).timestamp()) * 10**6
    published = (
        base_us + (day.astype(np.int64) * 86_400 + rng.integers(0, 86_400, n_posts)) * 1_000_000
    )
    post_ids = np.char.add("p", np.arange(n_posts).astype(str))
    posts = pa.table(
        {
            "account_id": acc,
            "post_id": post_ids,
            "published_at": pa.array(published, pa.timestamp("us", tz="UTC")),
            "local_date": pa.array((published // 86_400_000_000).astype("int32"), pa.date32()),
        }
    )
    imp_final = rng.lognormal(7, 1, n_posts)
    er = rng.uniform(0.005, 0.06, n_posts)
    frac = np.array([0.6, 0.85, 0.95, 1.0])
    reps = np.repeat(np.arange(n_posts), SNAPSHOTS_PER_POST)
    step = np.tile(np.arange(SNAPSHOTS_PER_POST), n_posts)
    f = frac[step]
    observed = published[reps] + np.array([1, 3, 7, 28])[step] * 86_400 * 1_000_000
    imp = (imp_final[reps] * f).astype(np.int64)
    eng = (imp_final[reps] * er[reps] * f).astype(np.int64)
    snaps = pa.table(
        {
            "account_id": acc[reps],
            "post_id": post_ids[reps],
            "observed_at": pa.array(observed, pa.timestamp("us", tz="UTC")),
            "impressions": imp,
            "engagements": eng,
            "likes": (eng * 0.6).astype(np.int64),
            "comments": (eng * 0.1).astype(np.int64),
            "shares": (eng * 0.1).astype(np.int64),
        }
    )
    dates = [START + timedelta(days=i) for i in range(DAYS)]
    growth = rng.uniform(0.0002, 0.002, ACCOUNTS)
    start_f = rng.integers(1_000, 200_000, ACCOUNTS)
    followers = start_f[:, None] * np.exp(growth[:, None] * np.arange(DAYS)[None, :])
    daily = pa.table(
        {
            "account_id": np.repeat(ids, DAYS),
            "date": pa.array(dates * ACCOUNTS, pa.date32()),
            "followers": followers.astype(np.int64).ravel(),
            "observed_at": pa.array([datetime(2026, 11, 1, tzinfo=UTC)] * (ACCOUNTS * DAYS)),
        }
    )
    app.lake.ingest(
        ws.id,
        f"bench {rows} rows",
        "bench",
        {"posts": posts, "post_snapshots": snaps, "account_daily": daily},
    )
    app.store.dispose()


# --- contenders -----------------------------------------------------------------------------


def run_socialpulse(home: Path) -> dict[str, Any]:
    from socialpulse.bootstrap import open_home
    from socialpulse.domain.periods import DateRange, Grain
    from socialpulse.domain.query import Breakdown
    from socialpulse.settings import Settings

    app = open_home(Settings(home=home))
    ws = app.workspace("bench")
    period = DateRange(*PERIOD)

    def go() -> dict[str, Any]:
        kpi = app.metrics.compute(ws, [(m, None) for m in KPIS], period=period)
        trend = app.metrics.compute(
            ws, [(m, None) for m in KPIS[:4]], Breakdown(("network",), Grain.WEEK), period
        )
        return {"kpis": kpi.records()[0], "trends": trend.records()}

    return _timed(go)


def _files(home: Path) -> dict[str, list[str]]:
    from socialpulse.bootstrap import open_home
    from socialpulse.settings import Settings

    app = open_home(Settings(home=home))
    ws = app.workspace("bench")
    out = {
        d: [str(p) for p in app.lake.files(ws.id, d)]
        for d in ("posts", "post_snapshots", "account_daily")
    }
    out["accounts"] = [(a.id, a.network.value) for a in app.store.accounts(ws.id)]  # type: ignore[misc]
    app.store.dispose()
    return out


#: The engine's snapshot rule, hand-written: the latest snapshot before the period ends; a post
#: first observed later counts with its earliest one.
LATEST_SNAPSHOT = """QUALIFY row_number() OVER (
    PARTITION BY account_id, post_id
    ORDER BY observed_at < $cutoff DESC,
             CASE WHEN observed_at < $cutoff THEN observed_at END DESC,
             CASE WHEN observed_at < $cutoff THEN NULL ELSE observed_at END ASC,
             batch_id DESC) = 1"""

HAND_SQL = """
WITH snaps AS (
  SELECT account_id, post_id, impressions, engagements, shares
  FROM read_parquet($snaps)
  {latest_snapshot}
), posts AS (
  SELECT account_id, post_id, local_date FROM read_parquet($posts)
  QUALIFY row_number() OVER (PARTITION BY account_id, post_id ORDER BY batch_id DESC) = 1
), per_post AS (
  SELECT s.account_id, {bucket_post} AS bucket, sum(impressions) AS imp,
         sum(engagements) AS eng, sum(shares) AS sh
  FROM snaps s JOIN posts p USING (account_id, post_id)
  WHERE p.local_date >= $start AND p.local_date <= $end
  GROUP BY ALL
), days AS (
  SELECT account_id, date, followers,
         lag(followers) OVER (PARTITION BY account_id ORDER BY date) AS prev
  FROM read_parquet($daily) WHERE date <= $end
  QUALIFY row_number() OVER (PARTITION BY account_id, date
                             ORDER BY observed_at DESC, batch_id DESC) = 1
), per_day AS (
  SELECT account_id, {bucket_day} AS bucket, arg_max(followers, date) AS fend,
         arg_min(coalesce(prev, followers), date) AS fstart
  FROM days WHERE date >= $start GROUP BY ALL
), acc AS (SELECT * FROM (VALUES {accounts}) a(account_id, network))
SELECT {group_cols}
  sum(imp) AS impressions, sum(eng) AS engagements, sum(eng) / sum(imp) * 100 AS engagement_rate,
  sum(fend) AS followers, (sum(fend) - sum(fstart)) / sum(fstart) * 100 AS audience_growth_rate,
  sum(sh) / sum(fend) * 100 AS amplification_rate
FROM (SELECT coalesce(a.account_id, b.account_id) AS account_id,
             coalesce(a.bucket, b.bucket) AS bucket, imp, eng, sh, fend, fstart
      FROM per_post a FULL JOIN per_day b USING (account_id, bucket)) x
JOIN acc USING (account_id)
{group_by}
"""


def run_duckdb_sql(home: Path) -> dict[str, Any]:
    import duckdb

    f = _files(home)
    con = duckdb.connect()
    accounts = ", ".join(f"({i}, '{n}')" for i, n in f["accounts"])
    params = {
        "snaps": f["post_snapshots"],
        "posts": f["posts"],
        "daily": f["account_daily"],
        "cutoff": datetime.combine(PERIOD[1] + timedelta(days=1), datetime.min.time(), UTC),
        "start": PERIOD[0],
        "end": PERIOD[1],
    }
    kpi_sql = HAND_SQL.format(
        bucket_post="NULL", bucket_day="NULL", accounts=accounts, group_cols="", group_by="",
        latest_snapshot=LATEST_SNAPSHOT,
    )
    trend_sql = HAND_SQL.format(
        bucket_post="date_trunc('week', p.local_date)",
        bucket_day="date_trunc('week', date)",
        accounts=accounts,
        group_cols="bucket AS period, network,",
        group_by="GROUP BY ALL ORDER BY period, network",
        latest_snapshot=LATEST_SNAPSHOT,
    )

    def go() -> dict[str, Any]:
        kpi = con.execute(kpi_sql, params).fetchdf().to_dict("records")[0]
        trend = con.execute(trend_sql, params).fetchdf()
        trend["period"] = trend["period"].astype(str).str[:10]
        return {"kpis": kpi, "trends": trend[["period", "network", *KPIS[:4]]].to_dict("records")}

    return _timed(go)


def run_pandas(home: Path) -> dict[str, Any]:
    import pandas as pd

    f = _files(home)
    cutoff = pd.Timestamp(PERIOD[1] + timedelta(days=1), tz="UTC")
    start, end = pd.Timestamp(PERIOD[0]), pd.Timestamp(PERIOD[1])
    acc = pd.DataFrame(f["accounts"], columns=["account_id", "network"])

    def go() -> dict[str, Any]:
        s = pd.concat(
            pd.read_parquet(
                p,
                columns=[
                    "account_id",
                    "post_id",
                    "observed_at",
                    "batch_id",
                    "impressions",
                    "engagements",
                    "shares",
                ],
            )
            for p in f["post_snapshots"]
        )
        # latest snapshot before the cut-off; a post first observed later: its earliest one
        before = s.observed_at < cutoff
        ts = s.observed_at.astype("int64")
        s = s.assign(_before=before, _key=ts.where(before, -ts))
        s = s.sort_values(["_before", "_key", "batch_id"])
        s = s.drop_duplicates(["account_id", "post_id"], keep="last")
        p = pd.concat(
            pd.read_parquet(x, columns=["account_id", "post_id", "local_date", "batch_id"])
            for x in f["posts"]
        )
        p = p.sort_values("batch_id").drop_duplicates(["account_id", "post_id"], keep="last")
        p["local_date"] = pd.to_datetime(p["local_date"])
        j = s.merge(p, on=["account_id", "post_id"])
        j = j[(j.local_date >= start) & (j.local_date <= end)]
        d = pd.concat(pd.read_parquet(x) for x in f["account_daily"])
        d["date"] = pd.to_datetime(d["date"])
        d = d.sort_values(["observed_at", "batch_id"]).drop_duplicates(
            ["account_id", "date"], keep="last"
        )
        d = d[d.date <= end].sort_values(["account_id", "date"])
        d["prev"] = d.groupby("account_id")["followers"].shift()
        d = d[d.date >= start]
        d["start_val"] = d["prev"].fillna(d["followers"])

        def table(bucket: bool) -> pd.DataFrame:
            jj, dd = j.copy(), d.copy()
            jj["bucket"] = jj.local_date.dt.to_period("W-SUN").dt.start_time if bucket else 0
            dd["bucket"] = dd.date.dt.to_period("W-SUN").dt.start_time if bucket else 0
            pp = jj.groupby(["account_id", "bucket"]).agg(
                imp=("impressions", "sum"), eng=("engagements", "sum"), sh=("shares", "sum")
            )
            dd = dd.sort_values("date")
            ff = dd.groupby(["account_id", "bucket"]).agg(
                fend=("followers", "last"), fstart=("start_val", "first")
            )
            x = pp.join(ff, how="outer").reset_index().merge(acc, on="account_id")
            keys = ["bucket", "network"] if bucket else []
            g = x.groupby(keys) if keys else x.assign(k=0).groupby("k")
            out = g.agg(
                imp=("imp", "sum"),
                eng=("eng", "sum"),
                sh=("sh", "sum"),
                fend=("fend", "sum"),
                fstart=("fstart", "sum"),
            ).reset_index()
            out["impressions"] = out.imp
            out["engagements"] = out.eng
            out["engagement_rate"] = out.eng / out.imp * 100
            out["followers"] = out.fend
            out["audience_growth_rate"] = (out.fend - out.fstart) / out.fstart * 100
            out["amplification_rate"] = out.sh / out.fend * 100
            return out

        kpi = table(False)[KPIS].to_dict("records")[0]
        tr = table(True)
        tr["period"] = tr["bucket"].astype(str).str[:10]
        return {"kpis": kpi, "trends": tr[["period", "network", *KPIS[:4]]].to_dict("records")}

    return _timed(go)


def _timed(go: Any) -> dict[str, Any]:
    result = go()  # warm-up (and the answer we compare)
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        go()
        best = min(best, time.perf_counter() - t0)
    return {"seconds": best, "peak_mb": peak_rss_mb(), "result": result}


ONE_SCAN = """
SELECT * FROM
  (SELECT sum(impressions) AS imp, sum(engagements) AS eng, sum(shares) AS sh,
          count(account_id) AS s_acc, count(post_id) AS s_post, count(observed_at) AS s_obs
   FROM read_parquet($snaps)) s,
  (SELECT count(account_id) AS p_acc, count(post_id) AS p_post, count(local_date) AS p_day
   FROM read_parquet($posts)) p,
  (SELECT sum(followers) AS fol, count(account_id) AS d_acc, count(date) AS d_day
   FROM read_parquet($daily)) d
"""


def run_one_scan(home: Path) -> dict[str, Any]:
    """The floor: every file the Overview reads, read once, no snapshot chosen."""
    import duckdb

    f = _files(home)
    con = duckdb.connect()
    params = {"snaps": f["post_snapshots"], "posts": f["posts"], "daily": f["account_daily"]}

    def go() -> dict[str, Any]:
        row = con.execute(ONE_SCAN, params).fetchone()
        return {"sums": list(row or ())}

    return _timed(go)


CONTENDERS = {"socialpulse": run_socialpulse, "duckdb_sql": run_duckdb_sql, "pandas": run_pandas,
              "one_scan": run_one_scan}


# --- driver ---------------------------------------------------------------------------------


def _same(a: dict[str, Any], b: dict[str, Any], label: str) -> None:
    def eq(x: Any, y: Any) -> bool:
        if x is None or y is None or (isinstance(x, float) and math.isnan(x)):
            return (x is None or (isinstance(x, float) and math.isnan(x))) == (
                y is None or (isinstance(y, float) and math.isnan(y))
            )
        return math.isclose(float(x), float(y), rel_tol=1e-6, abs_tol=1e-6)

    for k in KPIS:
        if not eq(a["kpis"][k], b["kpis"][k]):
            raise SystemExit(f"{label}: KPI {k} differs: {a['kpis'][k]} vs {b['kpis'][k]}")
    ta = {(r["period"], r["network"]): r for r in a["trends"]}
    tb = {(r["period"], r["network"]): r for r in b["trends"]}
    if ta.keys() != tb.keys():
        raise SystemExit(f"{label}: trend rows differ ({len(ta)} vs {len(tb)})")
    for key, r in ta.items():
        for k in KPIS[:4]:
            if not eq(r[k], tb[key][k]):
                raise SystemExit(f"{label}: trend {key} {k} differs: {r[k]} vs {tb[key][k]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--phase", choices=list(CONTENDERS))
    ap.add_argument("--home", type=Path)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(CONTENDERS[args.phase](args.home), default=str))
        return
    home = args.data / f"metrics-{args.rows}"
    if not (home / "socialpulse.toml").exists():
        print(f"generating {args.rows:,} post-snapshot rows in {home} ...", flush=True)
        t0 = time.perf_counter()
        build_home(home, args.rows)
        print(f"  done in {time.perf_counter() - t0:.1f}s", flush=True)
    runs = {}
    for name in CONTENDERS:
        proc = subprocess.run(
            [sys.executable, __file__, "--phase", name, "--home", str(home)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
        runs[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"{name}: {runs[name]['seconds']:.3f}s, peak {runs[name]['peak_mb']:.0f} MiB",
            flush=True,
        )
    _same(runs["socialpulse"]["result"], runs["duckdb_sql"]["result"], "socialpulse vs DuckDB")
    _same(runs["socialpulse"]["result"], runs["pandas"]["result"], "socialpulse vs pandas")
    sp, ddb, pdn = runs["socialpulse"], runs["duckdb_sql"], runs["pandas"]
    extra = {"rows": args.rows}
    record("overview_vs_one_scan", sp["seconds"], runs["one_scan"]["seconds"], "seconds",
           queries="KPIs + weekly trend by network, vs one scan of their files", **extra)
    record("overview_vs_duckdb_sql", sp["seconds"], ddb["seconds"], "seconds", **extra)
    record("overview_vs_pandas", sp["seconds"], pdn["seconds"], "seconds", **extra)
    record("overview_peak_memory_vs_duckdb_sql", sp["peak_mb"], ddb["peak_mb"], "MiB", **extra)
    record("overview_peak_memory_vs_pandas", sp["peak_mb"], pdn["peak_mb"], "MiB", **extra)


if __name__ == "__main__":
    main()
