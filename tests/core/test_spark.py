"""Engine portability: the whole catalogue gives the same numbers on DuckDB and PySpark.

PySpark in local mode is the path for users who outgrow one machine; the same Ibis plans run on
both, so this test compiles every metric and every variant for both engines and compares.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialpulse.adapters.engine import IbisEngine
from socialpulse.bootstrap import App
from socialpulse.domain.periods import parse_period
from socialpulse.domain.query import MetricQuery, MetricRequest, parse_breakdown, plan
from socialpulse.services.posts import post_rate

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("java is required for the Spark equivalence test in CI")
        pytest.skip("java is not installed")
    pyspark = pytest.importorskip("pyspark")
    import ibis
    from pyspark.sql import SparkSession

    assert pyspark.__version__ >= "3.5"
    tmp: Path = tmp_path_factory.mktemp("spark")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # never bind another interface
    session = (
        SparkSession.builder.master("local[2]")
        .appName("socialpulse-equivalence")
        .config("spark.sql.warehouse.dir", str(tmp / "warehouse"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={tmp}")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield ibis.pyspark.connect(session)
    session.stop()


def _all_requests(app: App, by: str) -> tuple[MetricRequest, ...]:
    """Every metric and variant (mention metrics cannot be split by account or brand)."""
    per_account = {"account", "brand"} & set(by.split(","))
    return tuple(
        MetricRequest(m.id, v)
        for m in app.catalogue.metrics.values()
        for v in m.variants
        if not per_account or "mentions" not in app.catalogue.datasets(m, v)
    )


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


@pytest.mark.parametrize("by", ["network,month", "account,week", "brand,month"])
def test_catalogue_is_identical_on_duckdb_and_spark(
    demo_app_ro: App, spark_backend: object, by: str
) -> None:
    ws = demo_app_ro.workspace("demo")
    accounts = demo_app_ro.store.accounts(ws.id)
    query = MetricQuery(
        ws.id, _all_requests(demo_app_ro, by), parse_breakdown(by), parse_period("2026-Q3")
    )
    p = plan(demo_app_ro.catalogue, query)
    duck = demo_app_ro.engine.run(p, accounts, ws.timezone)
    spark = IbisEngine(spark_backend, demo_app_ro.lake.files).run(p, accounts, ws.timezone)
    assert duck.columns == spark.columns
    assert len(duck.rows) == len(spark.rows) > 3
    computed = 0
    for d, s in zip(duck.rows, spark.rows, strict=True):
        for col in duck.columns:
            assert _same(d[col], s[col]), (by, col, d[col], s[col])
            computed += d[col] is not None and col in {pm.key for pm in p.metrics}
    assert computed > len(duck.rows) * 15  # most of the catalogue has real values
    assert duck.missing == spark.missing and duck.excluded == spark.excluded


def test_the_spark_engine_is_a_setting(demo_app_ro: App, spark_backend: object) -> None:
    """`--engine spark` (or SOCIALPULSE_QUERY_ENGINE=spark): same answers, no code change."""
    from socialpulse.bootstrap import open_home
    from socialpulse.settings import Settings

    home = demo_app_ro.settings.home
    spark_app = open_home(Settings.from_env(home, query_engine="spark"))
    assert spark_app.engine.backend.name == "pyspark"
    ws = spark_app.workspace("demo")
    reqs = [("engagement_rate", None), ("followers", None), ("posts", None)]
    ours = spark_app.metrics.compute(ws, reqs, period=parse_period("2026-Q3"))
    ref = demo_app_ro.metrics.compute(demo_app_ro.workspace("demo"), reqs,
                                      period=parse_period("2026-Q3"))
    assert ours.rows[0] == pytest.approx(ref.rows[0])
    assert "posts" in spark_app.metrics.explain("posts", None, ws).sql
    spark_app.store.dispose()


def test_unknown_engine_is_a_clear_error(demo_app_ro: App) -> None:
    from socialpulse.bootstrap import open_home
    from socialpulse.domain.errors import InvalidInput
    from socialpulse.settings import Settings

    with pytest.raises(InvalidInput, match="unknown engine 'oracle'"):
        open_home(Settings.from_env(demo_app_ro.settings.home, query_engine="oracle"))


def test_post_lists_are_identical_on_duckdb_and_spark(demo_app_ro: App,
                                                      spark_backend: object) -> None:
    ws = demo_app_ro.workspace("demo")
    ids = [a.id for a in demo_app_ro.store.accounts(ws.id)]
    spark = IbisEngine(spark_backend, demo_app_ro.lake.files)
    rate = post_rate(demo_app_ro.catalogue)
    for sort, search in [("engagements", None), ("engagement_rate", "trail"),
                         ("published_at", None)]:
        args = (ws.id, ids, parse_period("2026-Q3"), ws.timezone, rate, sort, 40, 10, search)
        (d, d_total), (s, s_total) = demo_app_ro.engine.posts(*args), spark.posts(*args)
        assert d_total == s_total > 40 or (search and d_total == s_total > 0)
        assert d.column_names == s.column_names
        for a, b in zip(d.to_pylist(), s.to_pylist(), strict=True):
            assert all(_same(a[c], b[c]) for c in d.column_names), (sort, a, b)


# --- listening: the mention queries on both engines ------------------------------------------

def _same_tree(a: object, b: object, where: str = "") -> None:
    """Equal values all the way down (floats to 1e-9), naming where they differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert list(a) == list(b), where
        for k in a:
            _same_tree(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_tree(x, y, f"{where}[{i}]")
    else:
        assert _same(a, b), (where, a, b)


def test_listening_figures_are_identical_on_duckdb_and_spark(demo_app_ro: App,
                                                             spark_backend: object) -> None:
    """Every listening question the service asks, on the demo's mentions: volumes by grain,
    share of voice and sentiment, top authors, trending terms, themes, the mention list with
    filters, alert mentions and the day counts spike detection reads, the data range."""
    from socialpulse.bootstrap import open_home
    from socialpulse.domain.listening.selection import MentionSelection
    from socialpulse.domain.periods import DateRange
    from socialpulse.settings import Settings

    duck = demo_app_ro.listening
    # the setting alone moves listening to Spark (the session is the fixture's: getOrCreate)
    spark_app = open_home(Settings.from_env(demo_app_ro.settings.home, query_engine="spark"))
    spark = spark_app.listening
    assert spark.queries.engine_name() == "pyspark"
    ws = demo_app_ro.workspace("demo")
    q3 = parse_period("2026-Q3")
    assert spark.data_range(ws) == duck.data_range(ws) is not None
    year = duck.default_period(ws, 365)
    checks = {
        "share_of_voice": lambda s: s.share_of_voice(ws, q3),
        "share_of_voice_year": lambda s: s.share_of_voice(ws, year),
        **{f"volume_{g}": (lambda s, g=g: s.volume(ws, q3, g)) for g in ("day", "week", "month")},
        "authors": lambda s: s.top_authors(ws, year, limit=50),
        "authors_brand": lambda s: s.top_authors(ws, q3, "TrailCo", limit=7),
        "trending": lambda s: s.trending(ws, q3, "Acme Outdoor"),
        "themes": lambda s: s.themes(ws, year),
        "mentions": lambda s: s.mentions(ws, q3, limit=40, offset=5),
        "mentions_filtered": lambda s: s.mentions(ws, None, "Acme Outdoor", "negative", "es",
                                                  "x", True, None, 20, 3),
        "mentions_search": lambda s: s.mentions(ws, search="jacket", limit=10),
        "alerts": lambda s: [a.as_dict() for a in s.alerts(ws)],
        "query_test": lambda s: s.test_query(ws, '"acme outdoor" OR trailco', limit=5),
        "day_counts": lambda s: s.queries.day_counts(
            MentionSelection(ws.id, DateRange(q3.start, q3.end))),
    }
    for name, ask in checks.items():
        d, s = ask(duck), ask(spark)
        assert d, name  # something to compare
        _same_tree(d, s, name)
    sql = spark.explain(ws, "share_of_voice", q3)
    assert sql.engine == "pyspark" and "`mention_id`" in sql.sql
    spark_app.store.dispose()
