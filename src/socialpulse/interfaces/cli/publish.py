"""``socialpulse publish``: write, approve, schedule and follow posts to Mastodon and Bluesky.

    socialpulse publish draft --network mastodon --network bluesky --text "Hello" [--link URL]
    socialpulse publish submit 1 | approve 1 [--comment ...] | reject 1 --comment "why"
    socialpulse publish schedule 1 --at "2026-03-29 09:00" [--zone Europe/Madrid] [--later]
    socialpulse publish cancel 1 | list [--status scheduled] [--format json]

A post goes out at the local time given, in the workspace's zone unless another is named,
once per network, from any worker (`socialpulse worker`, or the one `socialpulse serve`
starts); `list` shows each send's platform id or the network's words when it failed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import Network
from socialpulse.domain.publishing import PostStatus, Variant
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    WorkspaceOpt,
    acting,
    check_format,
    emit,
    open_workspace,
)
from socialpulse.interfaces.cli.root import app
from socialpulse.services.publishing import COLUMNS, post_record

publish_app = typer.Typer(help="Write, approve and schedule posts to Mastodon and Bluesky.",
                          no_args_is_help=True)
app.add_typer(publish_app, name="publish")

PostArg = Annotated[int, typer.Argument(help="Post id (see `socialpulse publish list`).",
                                        min=1, max=2**31 - 1)]
CommentOpt = Annotated[str, typer.Option("--comment", help="A note for the post's author.")]


def _network(text: str) -> Network:
    try:
        return Network(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"--network: {text.strip()[:30]!r} is not a network; use mastodon "
                           "or bluesky") from None


@publish_app.command("draft")
def draft(
    text: Annotated[str, typer.Option("--text", help="The post's text.")],
    network: Annotated[list[str], typer.Option(
        "--network", help="mastodon or bluesky (repeat for both).")],
    link: Annotated[list[str] | None, typer.Option(
        "--link", help="A link added on its own line (UTM parameters added).")] = None,
    campaign: Annotated[str, typer.Option("--campaign", help="Campaign (utm_campaign).")] = "",
    goal: Annotated[str, typer.Option("--goal", help="The goal it serves.")] = "",
    account: Annotated[list[str] | None, typer.Option(
        "--account", help="The connected account's handle, when a network has several.")
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write a draft: every limit of every network is checked (all problems listed)."""
    a, ws = open_workspace(workspace)
    variants = [Variant(_network(n), text, tuple(link or ())) for n in network]
    post = a.publishing.draft(acting(), ws, variants, campaign=campaign, goal=goal,
                              accounts=account or ())
    typer.echo(f"draft {post.id} saved for {post_record(post)['networks']}; submit it with "
               f"`socialpulse publish submit {post.id}`")


@publish_app.command("submit")
def submit(post: PostArg, workspace: WorkspaceOpt = None) -> None:
    """Ask for approval."""
    a, ws = open_workspace(workspace)
    p = a.publishing.submit(acting(), ws, post)
    typer.echo(f"post {p.id}: {p.status.words}")


@publish_app.command("approve")
def approve(post: PostArg, comment: CommentOpt = "", workspace: WorkspaceOpt = None) -> None:
    """Approve a submitted post (approvers)."""
    a, ws = open_workspace(workspace)
    p = a.publishing.approve(acting(), ws, post, comment)
    typer.echo(f"post {p.id}: {p.status.words}; schedule it with "
               f"`socialpulse publish schedule {p.id} --at ...`")


@publish_app.command("reject")
def reject(post: PostArg, comment: CommentOpt = "", workspace: WorkspaceOpt = None) -> None:
    """Send a submitted post back to its author, saying why."""
    a, ws = open_workspace(workspace)
    p = a.publishing.reject(acting(), ws, post, comment)
    typer.echo(f"post {p.id}: {p.status.words} ({p.comment})")


@publish_app.command("schedule")
def schedule(
    post: PostArg,
    at: Annotated[str, typer.Option("--at", help='Local time, "YYYY-MM-DD HH:MM".')],
    zone: Annotated[str | None, typer.Option(
        "--zone", help="IANA time zone (default: the workspace's).")] = None,
    later: Annotated[bool, typer.Option(
        "--later", help="A time the autumn change repeats: its second occurrence.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Schedule an approved post at a local time; it goes out once per network."""
    try:
        local = datetime.strptime(at.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput(f"--at: {at.strip()[:40]!r} is not a local time such as "
                           '"2026-03-29 09:00"') from None
    a, ws = open_workspace(workspace)
    p = a.publishing.schedule(acting(), ws, post, local, zone=zone, later=later)
    r = post_record(p)
    typer.echo(f"post {p.id}: scheduled for {r['scheduled']} ({r['scheduled_utc']})")


@publish_app.command("cancel")
def cancel(post: PostArg, workspace: WorkspaceOpt = None) -> None:
    """Cancel a post that has not started going out."""
    a, ws = open_workspace(workspace)
    p = a.publishing.cancel(acting(), ws, post)
    typer.echo(f"post {p.id}: {p.status.words}")


@publish_app.command("list")
def list_posts(
    status: Annotated[str | None, typer.Option(
        "--status", help="Only posts in this state (draft, submitted, scheduled, ...).")
    ] = None,
    fmt: FormatOpt = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """Posts with their schedule and, once out, their links on each network."""
    fmt = check_format(fmt)
    states = None
    if status:
        try:
            states = [PostStatus(status.strip().lower())]
        except ValueError:
            raise InvalidInput(f"--status: {status.strip()[:30]!r} is not a state; use one of "
                               f"{', '.join(PostStatus)}") from None
    a, ws = open_workspace(workspace)
    emit(fmt, COLUMNS, [post_record(p) for p in a.publishing.posts(ws, states)])
