"""`socialpulse listen sources|stream|rules`: live listening sources, the firehose consumer, and
alert rules that e-mail and post to webhooks.

    socialpulse listen sources add mastodon --kind tag --query acme
    socialpulse listen sources add jetstream
    socialpulse listen stream                 # consume the firehose until Ctrl+C
    socialpulse listen rules add Acme --kind volume --threshold 3 --email ops@example.com

Polled sources are polled by `socialpulse worker` (or the worker `socialpulse serve` runs);
rules are evaluated by the worker after every batch of mentions stored.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.listening.rules import DEFAULT_THRESHOLD, RuleSpec, parse_clock
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    WorkspaceOpt,
    acting,
    check_format,
    emit,
    id_argument,
    open_workspace,
)
from socialpulse.interfaces.cli.listen import listen_app

sources_app = typer.Typer(help="Live sources: Mastodon hashtags and search, Bluesky search, "
                          "the Jetstream firehose.", no_args_is_help=True)
rules_app = typer.Typer(help="Alert rules per brand, delivered by e-mail and webhook.",
                        no_args_is_help=True)
listen_app.add_typer(sources_app, name="sources")
listen_app.add_typer(rules_app, name="rules")


# --- sources ----------------------------------------------------------------------------------


@sources_app.command("add")
def sources_add(
    network: Annotated[str, typer.Argument(help="mastodon, bluesky or jetstream.")],
    kind: Annotated[str | None, typer.Option(help="mastodon: tag or search; bluesky: search; "
                                             "jetstream: firehose (default: the first).",
                                             show_default=False)] = None,
    query: Annotated[str, typer.Option(help="The hashtag (tag) or search words; none for "
                                       "the firehose.")] = "",
    instance: Annotated[str | None, typer.Option(help="Instance address (default: "
                                                 "mastodon.social, the public Bluesky "
                                                 "AppView, a public Jetstream).",
                                                 show_default=False)] = None,
    every: Annotated[int, typer.Option(help="Seconds between polls.")] = 60,
    workspace: WorkspaceOpt = None,
) -> None:
    """Listen to a live source from now on (polled sources: the worker polls them)."""
    a, ws = open_workspace(workspace)
    src = a.listening_live.add_source(acting(), ws, network, kind, query, instance, every)
    how = ("stream it with `socialpulse listen stream`" if src.network == "jetstream"
           else f"polled every {src.interval_s} s by `socialpulse worker`")
    typer.echo(f"source {src.id} added: {src.label} on {src.instance_url}; {how}")


@sources_app.command("list")
def sources_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table") -> None:
    """The workspace's live sources, with what they stored and their last error."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    records = [{"id": s.id, "network": s.network, "kind": s.kind, "query": s.query or "-",
                "instance": s.instance_url, "every_s": s.interval_s, "mentions": s.mentions,
                "last_read": f"{s.last_polled_at:%Y-%m-%d %H:%M}" if s.last_polled_at else "-",
                "last_error": s.last_error or "-"} for s in a.listening_live.sources(ws)]
    emit(f, ["id", "network", "kind", "query", "instance", "mentions", "last_read",
             "last_error"], records)


@sources_app.command("remove")
def sources_remove(source: Annotated[int, id_argument("Source id (see `sources list`).")],
                   workspace: WorkspaceOpt = None) -> None:
    """Stop listening to a source (stored mentions stay)."""
    a, ws = open_workspace(workspace)
    src = a.listening_live.remove_source(acting(), ws, source)
    typer.echo(f"source {src.id} removed: {src.label}")


@sources_app.command("poll")
def sources_poll(source: Annotated[int, id_argument("Source id (see `sources list`).")],
                 workspace: WorkspaceOpt = None) -> None:
    """Read a polled source now (besides the worker's polls) and store what is new; polling
    that had stopped (a worker lost its job for good) starts again."""
    a, ws = open_workspace(workspace)
    if source not in {s.id for s in a.listening_live.sources(ws)}:
        raise InvalidInput(f"source {source}: not a source of workspace {ws.slug!r}")
    r = a.listening_live.poll(source, chain=False)
    a.listening_live.ensure_polling(ws)
    typer.echo(f"{r['label']}: read {r['read']}, stored {r['stored']} mentions"
               + (f", skipped {r['skipped']} unreadable posts" if r["skipped"] else ""))


# --- the firehose -----------------------------------------------------------------------------


@listen_app.command("stream")
def stream(
    source: Annotated[int | None, typer.Option(help="Firehose source id (default: the "
                                               "workspace's first).", show_default=False)]
    = None,
    seconds: Annotated[float | None, typer.Option("--for", min=0.1, help="Stop after this "
                                                  "many seconds (default: until Ctrl+C).",
                                                  show_default=False)] = None,
    max_events: Annotated[int | None, typer.Option(min=1, help="Stop after this many "
                                                   "events.", show_default=False)] = None,
    batch_events: Annotated[int, typer.Option(min=1, max=100_000, help="Store a batch every "
                                              "this many events...")] = 500,
    batch_seconds: Annotated[float, typer.Option(min=0.1, max=600, help="...or this many "
                                                 "seconds, whichever comes first.")] = 1.0,
    mode: Annotated[str | None, typer.Option(
        "--mode", help="Sentiment model (default: the fast one, for this volume).",
        show_default=False)] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Consume the Jetstream firehose: posts matching a brand query are stored in batches;
    a restart resumes from the last stored event."""
    from socialpulse.services.listening_live import STREAM_MODE

    a, ws = open_workspace(workspace)
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    timer = threading.Timer(seconds, stop.set) if seconds else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        s = a.listening_live.stream(acting(), ws, stop, source_id=source,
                                    batch_events=batch_events, batch_s=batch_seconds,
                                    max_events=max_events, mode=mode or STREAM_MODE)
    finally:
        if timer is not None:
            timer.cancel()
    typer.echo(f"firehose: {s.events:,} events, {s.posts:,} posts, {s.stored:,} mentions "
               f"stored in {s.batches:,} batches; resume from {s.cursor or 'the start'}")


# --- rules ------------------------------------------------------------------------------------


def _quiet(value: str | None) -> tuple[object, object]:
    if not value:
        return None, None
    start, sep, end = value.partition("-")
    if not sep:
        raise InvalidInput(f"--quiet: {value!r} is not START-END such as 22:00-07:00")
    return parse_clock(start, "--quiet"), parse_clock(end, "--quiet")


@rules_app.command("add")
def rules_add(
    brand: Annotated[str, typer.Argument(help="Brand name (see `listen brands`).")],
    kind: Annotated[str, typer.Option(help="volume, negative_share, keyword or high_reach.")],
    threshold: Annotated[float | None, typer.Option(
        help="volume: times the usual rate (3); negative_share: share 0-1 (0.4); high_reach: "
        "followers (100000).", show_default=False)] = None,
    keyword: Annotated[str | None, typer.Option(help="keyword rules: the word or phrase.",
                                                show_default=False)] = None,
    min_volume: Annotated[int, typer.Option(help="Mentions needed in the window (volume, "
                                            "negative_share).")] = 10,
    window: Annotated[int, typer.Option(help="Minutes of recent mentions looked at.")] = 60,
    cooldown: Annotated[int, typer.Option(help="Minutes of quiet after the rule fired.")] = 60,
    quiet: Annotated[str | None, typer.Option(help="Quiet hours in the workspace's time zone, "
                                              "e.g. 22:00-07:00 (deliveries wait).",
                                              show_default=False)] = None,
    email: Annotated[list[str] | None, typer.Option(help="E-mail address (repeat or comma-"
                                                    "separate).", show_default=False)] = None,
    webhook: Annotated[str | None, typer.Option(help="Slack or Teams incoming webhook "
                                                "address.", show_default=False)] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add an alert rule for a brand."""
    a, ws = open_workspace(workspace)
    qs, qe = _quiet(quiet)
    k = kind.strip().lower()
    spec = RuleSpec(k, threshold if threshold is not None else DEFAULT_THRESHOLD.get(k, 0.0),
                    min_volume, window, keyword, cooldown, qs, qe,  # type: ignore[arg-type]
                    tuple(email or ()), webhook)
    view = a.alert_rules.add_rule(acting(), ws, brand, spec)
    typer.echo(f"rule {view.rule.id} added: {view.brand} {view.rule.spec.kind}")


def _threshold(kind: str, value: float) -> str:
    """A rule's threshold in the words of its kind (3x, 40%, 100,000 followers)."""
    if kind == "volume":
        return f"{value:g}x usual"
    if kind == "negative_share":
        return f"{value:.0%} negative"
    if kind == "high_reach":
        return f"{value:,.0f} followers"
    return "-"


@rules_app.command("list")
def rules_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table") -> None:
    """The workspace's alert rules."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    records = []
    for v in a.alert_rules.rules(ws):
        d = v.as_dict()
        d["deliver_to"] = ", ".join([*d["emails"], *(["webhook"] if d["webhook"] else [])])
        d["quiet_hours"] = d["quiet_hours"] or "-"
        d["keyword"] = d["keyword"] or "-"
        if f != "json":  # JSON keeps the number; tables say what it means
            d["threshold"] = _threshold(d["kind"], d["threshold"])
        records.append(d)
    emit(f, ["id", "brand", "kind", "threshold", "keyword", "window_minutes",
             "cooldown_minutes", "quiet_hours", "deliver_to"], records)


@rules_app.command("remove")
def rules_remove(rule: Annotated[int, id_argument("Rule id (see `rules list`).")],
                 workspace: WorkspaceOpt = None) -> None:
    """Remove an alert rule (and what it fired)."""
    a, ws = open_workspace(workspace)
    v = a.alert_rules.remove_rule(acting(), ws, rule)
    typer.echo(f"rule {v.rule.id} removed: {v.brand} {v.rule.spec.kind}")


@rules_app.command("evaluate")
def rules_evaluate(workspace: WorkspaceOpt = None) -> None:
    """Evaluate the rules now (the worker does it after every batch); deliveries are queued
    for the worker."""
    a, ws = open_workspace(workspace)
    fired = a.alert_rules.evaluate(acting(), ws)
    for e in fired:
        typer.echo(f"alert {e.id}: {e.title}")
    if not fired:
        typer.echo("no rule fired")


@rules_app.command("fired")
def rules_fired(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table") -> None:
    """The alerts the rules fired, newest first."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    records = [{"id": e.id, "rule": e.rule_id, "fired_at": f"{e.fired_at:%Y-%m-%d %H:%M}",
                "status": e.status, "title": e.title} for e in a.alert_rules.events(ws)]
    emit(f, ["id", "rule", "fired_at", "status", "title"], records)
