"""Listening figures have one definition (the catalogue's) and say how they were computed."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain import formula as fx
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.periods import parse_period
from socialpulse.interfaces.cli import main

Q3 = parse_period("2026-Q3")


def run_sql(app: App, sql: str) -> list[dict]:
    """Rows of ``sql`` run as text on the engine's DuckDB connection."""
    cur = app.engine.backend.raw_sql(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_share_of_voice_reads_the_catalogue_formula(demo_app_ro: App) -> None:
    """Change the catalogue's share_of_voice and listening's figure follows: one definition."""
    a = demo_app_ro
    ws = a.workspace("demo")
    cat = a.catalogue
    sov = cat.metric("share_of_voice")
    doubled = replace(sov.variant(None), formula=fx.parse("2 * own_mentions / mentions"),
                      formula_text="2 * own_mentions / mentions")
    other = copy.copy(a.listening)
    other.catalogue = replace(cat, metrics={**cat.metrics, "share_of_voice": replace(
        sov, variants={sov.default_variant: doubled})})
    before = {b["brand"]: b["share_of_voice"] for b in a.listening.share_of_voice(ws, Q3)["brands"]}
    after = {b["brand"]: b["share_of_voice"] for b in other.share_of_voice(ws, Q3)["brands"]}
    assert set(before) == {"Acme Outdoor", "Summit Gear", "TrailCo"}
    assert all(after[k] == pytest.approx(2 * v) for k, v in before.items())
    assert "2 * own_mentions / mentions" in other.explain(ws, "share_of_voice", Q3).definitions[0]


def test_the_explained_sql_is_what_computed_the_figures(demo_app_ro: App) -> None:
    a = demo_app_ro
    ws = a.workspace("demo")
    ex = a.listening.explain(ws, "net_sentiment", Q3)
    assert ex.engine == "duckdb"
    assert ex.definitions[0].startswith(
        "net_sentiment = (own_positive_mentions - own_negative_mentions) / own_rated_mentions")
    assert "own_rated_mentions: this brand's mentions where has_sentiment = true" in "\n".join(
        ex.definitions)
    # run the shown SQL on the engine's own connection: the same numbers as the service's
    table = run_sql(a, ex.sql)
    shown = {r["brand_id"]: (r["mentions"], r["share_of_voice"], r["net_sentiment"])
             for r in table}
    got = {b["brand_id"]: (b["mentions"], b["share_of_voice"], b["net_sentiment"])
           for b in a.listening.share_of_voice(ws, Q3)["brands"]}
    assert shown == got and len(got) == 3
    vol = a.listening.explain(ws, "volume", Q3, grain="month")
    rows = run_sql(a, vol.sql)
    # (DuckDB's date_trunc answers a timestamp; the engine reads it back as the date it is)
    assert [(r["period"].date(), r["brand_id"], r["net_sentiment"]) for r in rows] == [
        (r["period"], r["brand_id"], r["net_sentiment"])
        for r in a.listening.volume(ws, Q3, "month")]
    with pytest.raises(InvalidInput, match="unknown listening figure 'reach'"):
        a.listening.explain(ws, "reach", Q3)


def test_explain_in_the_cli_and_the_api(demo_app_ro: App, client: Any, capsys) -> None:
    home = str(demo_app_ro.settings.home)
    code = main(["--home", home, "listen", "explain", "share_of_voice", "--period", "2026-Q3"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("share_of_voice per brand, 2026-07-01 .. 2026-09-30\n"
                          "  share_of_voice = own_mentions / mentions  (catalogue metric "
                          "share_of_voice)\n")
    assert "\nSQL (DuckDB):\nSELECT" in out
    code = main(["--home", home, "listen", "explain", "volume", "--format", "json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["figure"] == "volume"
    r = client.get("/api/workspaces/demo/listening/explain/positive_share",
                   params={"period": "2026-Q3"})
    assert r.status_code == 200, r.text
    assert r.json()["definitions"][0].startswith(
        "positive_share = own_positive_mentions / own_rated_mentions")
    r = client.get("/api/workspaces/demo/listening/explain/volume", params={"grain": "year"})
    assert r.status_code == 400 and "unknown grain 'year'" in r.json()["error"]["message"]
