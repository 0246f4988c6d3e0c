"""`socialpulse listen ...`: brands and their queries, mention ingest, analysis, alerts, and
`listen classify` (language + sentiment for any text, one JSON object per line)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.formatting import format_value
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    TextJsonFormatOpt,
    WorkspaceOpt,
    acting,
    check_format,
    echo_json,
    emit,
    emit_document,
    open_workspace,
    settings,
)
from socialpulse.interfaces.cli.root import app

listen_app = typer.Typer(
    help="Listening: brand queries, mentions, sentiment, share of voice, spike alerts.",
    no_args_is_help=True,
)
app.add_typer(listen_app, name="listen")

PeriodOpt = Annotated[
    str | None,
    typer.Option(help="2026-Q3, 2026-09, 2026-W37 or A..B (default: the last 90 days of data)."),
]
ModeOpt = Annotated[str, typer.Option(
    "--mode", help="Sentiment model: accurate (the better one), fast (for backfills), auto "
    "(accurate up to 1,000 distinct texts per batch, fast above) or transformer.")]
ModelPathOpt = Annotated[
    str | None,
    typer.Option("--model-path", help="Local checkpoint folder for --mode transformer "
                 "(or $SOCIALPULSE_TRANSFORMER_MODEL).", show_default=False),
]


def _period(app: App, ws: Workspace, period: str | None, days: int = 90) -> DateRange:
    if period:
        from socialpulse.domain.periods import parse_period

        return parse_period(period, "--period", date.today())
    return app.listening.default_period(ws, days)


def _pct(v: float | None) -> str:
    return format_value(v * 100, "percent") if v is not None else "-"


# --- brands and queries ---------------------------------------------------------------------


@listen_app.command("brands")
def brands(
    add: Annotated[str | None, typer.Option("--add", help="Add a brand with this name.")] = None,
    own: Annotated[bool, typer.Option("--own", help="With --add: the workspace's own brand.")]
    = False,
    query: Annotated[str | None, typer.Option("--query", help="With --add: its Boolean query.")]
    = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """The brand and its competitors, with their queries (or add one with --add)."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    if add is None and (own or query is not None):
        raise InvalidInput("--own and --query go with --add NAME")
    if add is not None:
        bq = a.listening.add_brand(acting(), ws, add, own, query)
        typer.echo(f"brand {bq.brand.name!r} {'(own) ' if bq.brand.is_own else ''}ready"
                   + (f" with query {bq.query}" if bq.query else
                      f"; set its query with `socialpulse listen query {bq.brand.name!r} ...`"))
        return
    records = [{"brand": bq.brand.name, "own": "yes" if bq.brand.is_own else "no",
                "query": bq.query or "(none)"} for bq in a.listening.brands(ws)]
    emit(f, ["brand", "own", "query"], records)


@listen_app.command("query")
def query_cmd(
    brand: Annotated[str, typer.Argument(help="Brand name.")],
    query: Annotated[str | None, typer.Argument(help="Boolean query; omit to show the current "
                                                "one.", show_default=False)] = None,
    test: Annotated[bool, typer.Option("--test", help="Count the stored mentions the query "
                                       "would match, without saving it.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show, set or test a brand's query: AND OR NOT, "phrases", ( ), wild*, @handle,
    #hashtag, lang:, author:, network:."""
    a, ws = open_workspace(workspace)
    current = {bq.brand.name.casefold(): bq for bq in a.listening.brands(ws)}
    b = a.listening.brand(ws, brand)
    if query is None:
        q = current[b.name.casefold()].query
        typer.echo(q or f"brand {b.name!r} has no query yet")
        if not test or not q:
            return
        query = q
    if test:
        r = a.listening.test_query(ws, query, limit=5)
        typer.echo(f"query matches {r['matched']:,} of {r['scanned']:,} stored mentions; "
                   f"tags: {', '.join(r['tags']) or 'none'}")
        for m in r["examples"]:
            tag = "tagged" if m["tagged"] else "untagged"
            typer.echo(f"  [{tag}] {m['text'][:100]}")
        return
    a.listening.set_query(acting(), ws, b.name, query)
    typer.echo(f"query of {b.name!r} saved: {query}")


# --- ingest and classify ------------------------------------------------------------------


@listen_app.command("ingest")
def ingest(
    path: Annotated[Path, typer.Argument(help="JSONL, CSV, Mastodon status JSON or Bluesky "
                                         "post JSON.", show_default=False)],
    fmt: Annotated[str | None, typer.Option("--format", help="jsonl, csv, mastodon or bluesky "
                                            "(default: detected).", show_default=False)] = None,
    network: Annotated[str | None, typer.Option(help="Network of every mention when a JSONL "
                                                "or CSV file has no network column.")] = None,
    mode: ModeOpt = "accurate",
    model_path: ModelPathOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Read mentions, keep those matching a brand query, add language and sentiment, store."""
    a, ws = open_workspace(workspace)
    s = a.listening.ingest_file(acting(), ws, path, fmt, network, mode, model_path)
    if s.already_imported and s.already_imported == s.batches:
        typer.echo(f"{path.name}: already ingested ({s.matched:,} mentions); nothing added")
        return
    brands = ", ".join(f"{k} {v:,}" for k, v in sorted(s.by_brand.items())) or "none"
    typer.echo(f"{path.name}: read {s.read:,} posts, {s.matched:,} mention a brand "
               f"({brands}); {s.unmatched:,} matched no query")


def _read_texts(src: TextIO) -> Iterator[str]:
    for line in src:
        line = line.rstrip("\n").rstrip("\r")
        if line.strip():
            yield line


@listen_app.command("classify")
def classify(
    file: Annotated[str, typer.Argument(help="Text file, one text per line ('-' or none: "
                                        "standard input).")] = "-",
    mode: ModeOpt = "accurate",
    languages: Annotated[str, typer.Option("--languages", help="Candidate languages, "
                                           "comma-separated.")] = "en,es,de,fr,pt,it,ar,fa",
    fmt: Annotated[str, typer.Option("--format", help="jsonl (one JSON object per line).")]
    = "jsonl",
    model_path: ModelPathOpt = None,
    batch: Annotated[int, typer.Option(help="Texts per model batch.")] = 512,
) -> None:
    """Language and sentiment of each line: {"text", "lang", "sentiment", "score"} per line
    (score = P(positive) - P(negative), from -1 to 1)."""
    check_format(fmt, ("jsonl",), use="jsonl")
    if batch < 1:
        raise InvalidInput("--batch: must be at least 1")
    # needs no data home: the service is built without opening (or creating) one
    enricher = App(settings()).listening.classifier(languages, mode, model_path)
    if file == "-":
        stream: TextIO = sys.stdin
    else:
        p = Path(file)
        if not p.is_file():
            raise InvalidInput(f"{file}: no such file")
        stream = open(p, encoding="utf-8", errors="replace")  # noqa: SIM115
    try:
        buf: list[str] = []
        for text in _read_texts(stream):
            buf.append(text)
            if len(buf) >= batch:
                _emit_classified(enricher, buf)
                buf = []
        if buf:
            _emit_classified(enricher, buf)
    finally:
        if stream is not sys.stdin:
            stream.close()


def _emit_classified(enricher: Any, texts: list[str]) -> None:
    from socialpulse.services.listening import classified  # on use: --help imports every module

    typer.echo("\n".join(json.dumps(c, ensure_ascii=False) for c in classified(enricher, texts)))


# --- reading ------------------------------------------------------------------------------


@listen_app.command("mentions")
def mentions(
    brand: Annotated[str | None, typer.Option(help="Only this brand.")] = None,
    sentiment: Annotated[str | None, typer.Option(help="negative, neutral or positive.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language code.")] = None,
    network: Annotated[str | None, typer.Option(help="Network.")] = None,
    search: Annotated[str | None, typer.Option(help="Text contains.")] = None,
    period: Annotated[str | None, typer.Option(help="2026-Q3, 2026-09 or A..B (default: all).")]
    = None,
    limit: Annotated[int, typer.Option(help="At most this many (1-1000).")] = 20,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Mentions, newest first."""
    from socialpulse.domain.periods import parse_period

    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    rng = parse_period(period, "--period", date.today()) if period else None
    r = a.listening.mentions(ws, rng, brand, sentiment, lang, network, None, search, limit)
    cols = ["mention_id", "published_at", "network", "author", "author_followers", "lang",
            "sentiment", "score", "brands", "text"]
    records = []
    for m in r["mentions"]:
        rec = {**m, "brands": ", ".join(m["brands"])}
        if f == "table":
            rec["text"] = m["text"].replace("\n", " ")[:70]
            rec["published_at"] = m["published_at"].strftime("%Y-%m-%d %H:%M")
        records.append(rec)
    emit(f, cols, records)
    if f == "table":
        typer.echo(f"{len(records)} of {r['total']:,} mentions")


@listen_app.command("correct")
def correct(
    mention_id: Annotated[str, typer.Argument(help="Mention id (see `listen mentions`).")],
    sentiment: Annotated[str, typer.Argument(help="negative, neutral or positive.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Set a mention's sentiment by hand: overrides the model, kept for retraining."""
    a, ws = open_workspace(workspace)
    r = a.listening.correct(acting(), ws, mention_id, sentiment)
    was = f" (model said {r['model_sentiment']})" if r["model_sentiment"] else ""
    typer.echo(f"{mention_id}: {r['sentiment']}{was}")


@listen_app.command("corrections")
def corrections(workspace: WorkspaceOpt = None) -> None:
    """Every correction as JSON lines (text, lang, label): data for retraining."""
    a, ws = open_workspace(workspace)
    for c in a.listening.corrections(ws):
        typer.echo(json.dumps({"mention_id": c["mention_id"], "text": c["text"],
                               "lang": c["lang"], "sentiment": c["sentiment"],
                               "model_sentiment": c["model_sentiment"],
                               "corrected_at": c["corrected_at"].isoformat()},
                              ensure_ascii=False))


@listen_app.command("sov")
def sov(period: PeriodOpt = None, workspace: WorkspaceOpt = None, fmt: FormatOpt = "table"
        ) -> None:
    """Share of voice per brand, with sentiment (positive share and net sentiment)."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    rng = _period(a, ws, period)
    r = a.listening.share_of_voice(ws, rng)
    cols = ["brand", "own", "mentions", "share_of_voice", "tagged", "untagged",
            "positive_share", "net_sentiment", "negative_share_of_voice"]
    records = []
    for b in r["brands"]:
        rec = {**b, "own": "yes" if b["is_own"] else "no"}
        if f == "table":
            for k in ("share_of_voice", "positive_share", "net_sentiment",
                      "negative_share_of_voice"):
                rec[k] = _pct(b[k])
        records.append(rec)
    if f == "table":
        typer.echo(f"share of voice {rng.start} .. {rng.end}: {r['total']:,} mentions")
    emit(f, cols, records)


@listen_app.command("volume")
def volume(
    grain: Annotated[str, typer.Option(help="day, week or month.")] = "week",
    period: PeriodOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Mentions and sentiment per brand over time."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    rows = a.listening.volume(ws, _period(a, ws, period), grain)
    cols = ["period", "brand", "mentions", "positive", "neutral", "negative",
            "positive_share", "net_sentiment"]
    if f == "table":
        rows = [{**r, "positive_share": _pct(r["positive_share"]),
                 "net_sentiment": _pct(r["net_sentiment"])} for r in rows]
    emit(f, cols, rows)


@listen_app.command("explain")
def explain(
    figure: Annotated[str, typer.Argument(help="share_of_voice, positive_share, net_sentiment "
                                          "or volume.", show_default=False)],
    period: PeriodOpt = None,
    grain: Annotated[str, typer.Option(help="day, week or month (volume).")] = "week",
    workspace: WorkspaceOpt = None,
    fmt: TextJsonFormatOpt = "text",
) -> None:
    """How a listening figure is computed: the catalogue formula it reads per brand, and the
    SQL the query engine runs."""
    f = check_format(fmt, ("text", "json"), use="text or json")
    a, ws = open_workspace(workspace)
    ex = a.listening.explain(ws, figure, _period(a, ws, period), grain)
    emit_document(f, ex.as_dict(), _print_figure)


def _print_figure(ex: dict[str, Any]) -> None:
    p = ex["period"]
    typer.echo(f"{ex['figure']} per brand, {p['start']} .. {p['end']}")
    for line in ex["definitions"]:
        typer.echo(f"  {line}")
    typer.echo(f"\nSQL ({'Spark SQL' if ex['engine'] == 'pyspark' else 'DuckDB'}):")
    typer.echo(ex["sql"])


@listen_app.command("authors")
def authors(brand: Annotated[str | None, typer.Option(help="Only this brand.")] = None,
            period: PeriodOpt = None, limit: int = 10, workspace: WorkspaceOpt = None,
            fmt: FormatOpt = "table") -> None:
    """Top authors by reach (followers)."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    rows = a.listening.top_authors(ws, _period(a, ws, period), brand, limit)
    emit(f, ["author", "network", "followers", "mentions", "positive", "negative"], rows)


@listen_app.command("trending")
def trending(brand: Annotated[str | None, typer.Option(help="Only this brand.")] = None,
             period: PeriodOpt = None, days: Annotated[int, typer.Option(
                 help="Recent window in days, compared with the rest of the period.")] = 7,
             workspace: WorkspaceOpt = None, fmt: FormatOpt = "table") -> None:
    """Trending terms and hashtags, and themes of the conversation."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    rng = _period(a, ws, period)
    t = a.listening.trending(ws, rng, brand, days)
    themes = a.listening.themes(ws, rng, brand)
    if f == "json":
        echo_json({**t, "themes": themes})
        return
    typer.echo(f"trending in {t['recent']['start']} .. {t['recent']['end']} "
               f"({t['recent']['mentions']:,} mentions) against the rest of the period")
    emit(f, ["term", "mentions", "before", "lift"], t["terms"] + t["hashtags"])
    typer.echo("")
    emit(f, ["theme", "mentions", "positive", "negative", "net_sentiment"],
         [{**x, "net_sentiment": _pct(x["net_sentiment"])} for x in themes])


@listen_app.command("alerts")
def alerts(
    detect: Annotated[bool, typer.Option("--detect/--no-detect", help="Run detection first.")]
    = True,
    brand: Annotated[str | None, typer.Option(help="Only this brand.")] = None,
    min_volume: Annotated[int, typer.Option(help="Fewest mentions in a day to alert on.")] = 20,
    threshold: Annotated[float, typer.Option(help="Robust z-score to alert at.")] = 3.5,
    mentions_shown: Annotated[int, typer.Option("--mentions", help="Mentions listed per "
                                                "alert.")] = 5,
    workspace: WorkspaceOpt = None,
    fmt: TextJsonFormatOpt = "text",
) -> None:
    """Volume and negative-share spikes against a weekly-seasonal baseline, with the mentions
    that caused them."""
    f = check_format(fmt, ("text", "json"), use="text or json")
    if min_volume < 1 or threshold <= 0:
        raise InvalidInput("--min-volume must be at least 1 and --threshold above 0")
    a, ws = open_workspace(workspace)
    if detect:
        a.listening.detect_alerts(acting(), ws, min_volume=min_volume, threshold=threshold)
    found = a.listening.alerts(ws, brand=brand, mentions_per_alert=mentions_shown)
    if f == "json":
        echo_json([x.as_dict() for x in found])
        return
    if not found:
        typer.echo("no alerts")
        return
    for x in found:
        typer.echo(f"#{x.id} [{x.status}] {x.start} .. {x.end}  {x.title} (z {x.z:.1f}, "
                   f"{x.volume:,} mentions)")
        for m in x.mentions:
            typer.echo(f"    {m.author} ({format_value(m.author_followers, 'count')} "
                       f"followers, {m.network}, {m.sentiment}): {m.text[:90]}")
