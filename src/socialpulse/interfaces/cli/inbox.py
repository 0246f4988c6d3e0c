"""``socialpulse inbox``: the unified inbox from the command line.

    socialpulse inbox list [--status open] [--network mastodon] [--assignee ana|none]
                           [--tag billing] [--unanswered] [--older-than 4h] [--after CURSOR]
    socialpulse inbox show ID
    socialpulse inbox assign ID... --to ana | --round-robin ana,ben | --unassign
    socialpulse inbox status closed ID...
    socialpulse inbox note ID "called them back" | tag ID billing [--remove] | claim ID
    socialpulse inbox answered-elsewhere ID
    socialpulse inbox sla [--minutes 60 --hours "mon-fri 09:00-17:00" --holidays 2026-12-24]
    socialpulse inbox care --from 2026-11-01 --to 2026-11-30

Every id is checked before anything changes, so a bulk action with one wrong id changes
nothing; re-running one changes nothing more.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

import typer

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.inbox import InboxFilter, parse_age, parse_cursor, parse_status
from socialpulse.domain.models import MAX_ID
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    TextJsonFormatOpt,
    WorkspaceOpt,
    acting,
    check_format,
    echo_json,
    emit,
    open_workspace,
)
from socialpulse.interfaces.cli.root import app
from socialpulse.services.inbox import row_record, when_text

inbox_app = typer.Typer(help="The unified inbox: list, assign, claim, close, tag and note "
                        "conversations; SLA and care metrics.", no_args_is_help=True)
app.add_typer(inbox_app, name="inbox", hidden=True)  # until messages sync in (see web/inbox.py)

COLUMNS = ["id", "network", "author", "kind", "status", "assignee", "priority", "waiting",
           "due", "preview"]
IdsArg = Annotated[list[int], typer.Argument(help="Conversation ids.", min=1, max=MAX_ID)]
IdArg = Annotated[int, typer.Argument(help="Conversation id.", min=1, max=MAX_ID)]


@inbox_app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="open, pending or closed.")] = None,
    network: Annotated[str | None, typer.Option(help="mastodon, bluesky, ...")] = None,
    account: Annotated[str | None, typer.Option(help="The account it reached.")] = None,
    sentiment: Annotated[str | None, typer.Option(help="positive, neutral, negative.")] = None,
    language: Annotated[str | None, typer.Option(help="Language code, e.g. en.")] = None,
    assignee: Annotated[str | None, typer.Option(help="An agent, or 'none'.")] = None,
    tag: Annotated[str | None, typer.Option(help="A tag.")] = None,
    unanswered: Annotated[bool, typer.Option("--unanswered", help="Not answered yet.")] = False,
    older_than: Annotated[str | None, typer.Option(
        "--older-than", help="Waiting at least this long: 30m, 4h, 2d.")] = None,
    after: Annotated[str | None, typer.Option(help="The cursor the last page printed.")] = None,
    limit: Annotated[int, typer.Option(help="Rows per page (1-200).")] = 50,
    fmt: FormatOpt = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """Conversations, newest activity first, one page at a time."""
    fmt = check_format(fmt)
    a, ws = open_workspace(workspace)
    now = datetime.now(UTC)
    f = InboxFilter(
        network=network, account=account, sentiment=sentiment, language=language,
        status=parse_status(status, "--status") if status else None,
        assignee=assignee.strip() if assignee else None,
        tag=tag.strip().lower() if tag else None, unanswered=unanswered,
        waiting_since=now - timedelta(minutes=parse_age(older_than)) if older_than else None,
        after=parse_cursor(after) if after else None)
    page = a.inbox.page(ws, f, limit)
    emit(fmt, COLUMNS, [row_record(r, now) for r in page.rows])
    if page.next_cursor and fmt == "table":
        typer.echo(f"more: --after {page.next_cursor}")


@inbox_app.command("show")
def show(conversation: IdArg, fmt: TextJsonFormatOpt = "text",
         workspace: WorkspaceOpt = None) -> None:
    """One conversation: its messages, notes, why it has its priority, when it is due."""
    fmt = check_format(fmt, ("text", "json"), "text or json")
    a, ws = open_workspace(workspace)
    t = a.inbox.thread(ws, conversation)
    c = t.conversation
    if fmt == "json":
        echo_json({"id": c.id, "status": c.status.value, "assignee": c.assignee,
                   "claimed_by": c.claimed_by, "tags": list(c.tags), "due": when_text(t.due),
                   "first_response": when_text(c.first_response_at),
                   "priority": t.priority.as_dict(),
                   "messages": [{"id": m.external_id, "author": m.author, "ours": m.ours,
                                 "at": when_text(m.created_at), "text": m.text}
                                for m in t.messages],
                   "notes": [{"author": n.author, "at": when_text(n.created_at), "text": n.text}
                             for n in t.notes]})
        return
    typer.echo(f"conversation {c.id} ({c.network}, {c.account}): {c.status.value}, "
               f"assigned to {c.assignee or 'nobody'}; due {when_text(t.due) or 'no SLA'}")
    why = "; ".join(f"{r.detail} +{r.points}" for r in t.priority.reasons) or "nothing"
    typer.echo(f"priority {t.priority.level} ({t.priority.score}): {why}")
    for m in t.messages:
        typer.echo(f"  {when_text(m.created_at)}  {'(us) ' if m.ours else ''}{m.author}: {m.text}")
    for n in t.notes:
        typer.echo(f"  note by {n.author}, {when_text(n.created_at)}: {n.text}")


@inbox_app.command("assign")
def assign(
    conversations: IdsArg,
    to: Annotated[str | None, typer.Option("--to", help="The agent.")] = None,
    round_robin: Annotated[str | None, typer.Option(
        "--round-robin", help="Agents in turn, comma-separated.")] = None,
    unassign: Annotated[bool, typer.Option("--unassign", help="Assign to nobody.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Assign conversations to an agent, or to several agents in turn."""
    if sum((to is not None, round_robin is not None, unassign)) != 1:
        raise InvalidInput("assign: give exactly one of --to, --round-robin or --unassign")
    a, ws = open_workspace(workspace)
    if round_robin is not None:
        done = a.inbox.assign_round_robin(acting(), ws, conversations, round_robin.split(","))
    else:
        done = a.inbox.assign(acting(), ws, conversations, None if unassign else to)
    for c in done:
        typer.echo(f"conversation {c.id}: assigned to {c.assignee or 'nobody'}")


@inbox_app.command("status")
def status_(
    status: Annotated[str, typer.Argument(help="open, pending or closed.")],
    conversations: IdsArg,
    workspace: WorkspaceOpt = None,
) -> None:
    """Set the status of conversations."""
    a, ws = open_workspace(workspace)
    for c in a.inbox.set_status(acting(), ws, conversations, parse_status(status)):
        typer.echo(f"conversation {c.id}: {c.status.value}")


@inbox_app.command("note")
def note(conversation: IdArg, text: Annotated[str, typer.Argument(help="The note.")],
         workspace: WorkspaceOpt = None) -> None:
    """Add an internal note (seen by the team, never sent)."""
    a, ws = open_workspace(workspace)
    n = a.inbox.note(acting(), ws, conversation, text)
    typer.echo(f"conversation {conversation}: note {n.id} added")


@inbox_app.command("tag")
def tag(conversation: IdArg, name: Annotated[str, typer.Argument(help="The tag.")],
        remove: Annotated[bool, typer.Option("--remove", help="Remove it.")] = False,
        workspace: WorkspaceOpt = None) -> None:
    """Tag a conversation (or remove a tag)."""
    a, ws = open_workspace(workspace)
    c = a.inbox.tag(acting(), ws, conversation, name, on=not remove)
    typer.echo(f"conversation {c.id}: tags {', '.join(c.tags) or 'none'}")


@inbox_app.command("claim")
def claim(conversation: IdArg, workspace: WorkspaceOpt = None) -> None:
    """Say you are on a conversation; refused, naming them, if another agent is."""
    a, ws = open_workspace(workspace)
    c = a.inbox.claim(acting(), ws, conversation)
    typer.echo(f"conversation {c.id}: {c.claimed_by} is on it")


@inbox_app.command("answered-elsewhere")
def answered_elsewhere(conversation: IdArg, workspace: WorkspaceOpt = None) -> None:
    """Mark a conversation answered outside socialpulse (it counts as answered)."""
    a, ws = open_workspace(workspace)
    c = a.inbox.answered_elsewhere(acting(), ws, conversation)
    typer.echo(f"conversation {c.id}: answered elsewhere ({when_text(c.first_response_at)})")


@inbox_app.command("sla")
def sla(
    minutes: Annotated[int | None, typer.Option(
        help="First response within this many business minutes.", min=1, max=100_000)] = None,
    hours: Annotated[str, typer.Option(help="Business hours, e.g. 'mon-fri 09:00-17:00'.")
                     ] = "",
    holidays: Annotated[str, typer.Option(help="Closed dates: 2026-12-24,2026-12-25.")] = "",
    workspace: WorkspaceOpt = None,
) -> None:
    """Show the workspace's SLA, or set it with --minutes (in its time zone)."""
    a, ws = open_workspace(workspace)
    policy = a.inbox.set_sla(acting(), ws, minutes, hours, holidays) if minutes \
        else a.inbox.sla(ws)
    typer.echo(f"{ws.slug} ({ws.timezone}): {policy.describe() if policy else 'no SLA'}")


def _day(text: str, option: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text.strip()), time(), tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"{option}: {text[:20]!r} is not a date (YYYY-MM-DD)") from None


@inbox_app.command("care")
def care(
    from_: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD, UTC).")],
    to: Annotated[str, typer.Option("--to", help="Last day, included.")],
    fmt: TextJsonFormatOpt = "text",
    workspace: WorkspaceOpt = None,
) -> None:
    """Care metrics of the conversations that began in the period."""
    fmt = check_format(fmt, ("text", "json"), "text or json")
    a, ws = open_workspace(workspace)
    f = a.inbox.care(ws, _day(from_, "--from"), _day(to, "--to") + timedelta(days=1))
    if fmt == "json":
        echo_json(f.as_dict())
        return

    def minutes(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.0f} min"

    def share(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.0%}"

    typer.echo(f"conversations: {f.conversations}, answered {f.answered} "
               f"(response rate {share(f.response_rate)})")
    typer.echo(f"first response: median {minutes(f.first_response_median_min)}, "
               f"p90 {minutes(f.first_response_p90_min)}")
    typer.echo(f"time to close: median {minutes(f.time_to_close_median_min)}")
    typer.echo(f"within SLA: {share(f.share_within_sla)} of {f.sla_measured}")
    handled = ", ".join(f"{k} {v}" for k, v in f.handled_per_agent.items()) or "none"
    typer.echo(f"handled per agent: {handled}")
