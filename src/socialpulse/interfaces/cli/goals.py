"""`socialpulse goals ...` and `socialpulse okrs ...`: SMART goals and OKRs from the terminal.

Every command takes ``--today YYYY-MM-DD`` (default: the real date) so runs on the demo data
are reproducible. ``--format json`` prints what the JSON API returns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.formatting import format_value
from socialpulse.domain.periods import parse_date
from socialpulse.interfaces.cli.common import (
    TableJsonFormatOpt,
    WorkspaceOpt,
    acting,
    check_format,
    emit_document,
    id_argument,
    open_workspace,
    print_table,
)
from socialpulse.interfaces.cli.root import app

goals_app = typer.Typer(help="SMART goals: types, templates, add, list, show, check-in, revise, "
                        "archive.",
                        no_args_is_help=True)
okrs_app = typer.Typer(help="OKRs: an objective with 3 to 5 key results, graded 0.0-1.0.",
                       no_args_is_help=True)
app.add_typer(goals_app, name="goals")
app.add_typer(okrs_app, name="okrs")

FormatOpt = TableJsonFormatOpt  # goals and OKRs have no CSV form
TodayOpt = Annotated[
    str | None,
    typer.Option("--today", help="Evaluate as of this date (YYYY-MM-DD; default: today)."),
]


def _today(text: str | None) -> date:
    return parse_date(text, "--today", date.today()) if text else date.today()


def _fmt(fmt: str) -> str:
    """Goals and OKRs print as a table or text, or as the JSON API's documents; no CSV."""
    return check_format(fmt, ("table", "json"))


# --- goals ---------------------------------------------------------------------------------


@goals_app.command("types")
def goals_types(fmt: FormatOpt = "table") -> None:
    """The ten goal types of seed 004 with their recommended metrics."""
    from socialpulse.catalogue.goals import goal_catalogue

    f = _fmt(fmt)
    types: list[dict[str, Any]] = [
        {"id": t.id, "name": t.name, "description": t.description, "metrics": list(t.metrics),
         "milestones": list(t.milestones)} for t in goal_catalogue().goal_types.values()]
    emit_document(f, types, lambda rows: print_table(
        ["id", "name", "metrics"],
        [[t["id"], t["name"], ", ".join(t["metrics"]) or "(internal milestones)"] for t in rows],
    ))


@goals_app.command("templates")
def goals_templates(
    goal_type: Annotated[str | None, typer.Option("--goal-type", "-t",
                                                  help="Only this goal type.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """List goal templates, one for every goal type and recommended metric."""
    from socialpulse.catalogue.goals import goal_catalogue

    f = _fmt(fmt)
    cat = goal_catalogue()
    if goal_type:
        cat.goal_type(goal_type)
    templates = [{"id": t.id, "goal_type": t.goal_type, "metric": t.metric, "title": t.title,
                  "target_change_pct": t.target_change_pct, "horizon": t.horizon,
                  "baseline": t.baseline, "networks": list(t.networks)}
                 for t in cat.templates.values() if not goal_type or t.goal_type == goal_type]

    def text(templates: list[dict[str, Any]]) -> None:
        print_table(["id", "title"], [[t["id"], t["title"]] for t in templates])
        bare = [gt for gt in cat.goal_types.values()
                if not gt.metrics and (not goal_type or gt.id == goal_type)]
        for gt in bare:
            typer.echo(f"\n{gt.id}: no metric templates; track it with milestone key results "
                       f"(`socialpulse okrs add`), e.g. {'; '.join(gt.milestones)}")

    emit_document(f, templates, text)


@goals_app.command("add")
def goals_add(
    template: Annotated[str | None, typer.Argument(
        help="Template id such as brand_awareness:reach (see `goals templates`).")] = None,
    metric: Annotated[str | None, typer.Option(help="Metric id (when not using a template).")]
    = None,
    variant: Annotated[str | None, typer.Option(help="Metric variant.")] = None,
    goal_type: Annotated[str | None, typer.Option("--goal-type", help="Goal type id.")] = None,
    objective: Annotated[str | None, typer.Option(help="Business objective it serves.")] = None,
    baseline: Annotated[str | None, typer.Option(
        help="Baseline period: 2026-Q3, 2026-09, A..B, previous_quarter, last_90d.")] = None,
    target: Annotated[str | None, typer.Option(help="Absolute target value.")] = None,
    change: Annotated[str | None, typer.Option(help="Target as % change: +20% or -10%.")]
    = None,
    deadline: Annotated[str | None, typer.Option(help="Due date (YYYY-MM-DD).")] = None,
    network: Annotated[list[str] | None, typer.Option(help="Only these networks.")] = None,
    account: Annotated[list[str] | None, typer.Option(
        help="Only these accounts (id, handle or NETWORK:HANDLE).")] = None,
    campaign: Annotated[str | None, typer.Option(help="Only posts of this campaign tag.")]
    = None,
    owner: Annotated[str, typer.Option(help="Who owns the goal.")] = "",
    title: Annotated[str | None, typer.Option(help="Title (default: from the template).")]
    = None,
    milestone: Annotated[list[str] | None, typer.Option(
        help="DATE=TARGET[:label], e.g. 2026-11-30=+10%:halfway (repeat).")] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Create a SMART goal (from a template in one command) and show its checks."""
    from socialpulse.domain.goals import GoalSpec
    from socialpulse.services.goal_input import parse_change, parse_milestone, parse_number

    f = _fmt(fmt)
    day = _today(today)
    spec = GoalSpec(
        template=template, metric=metric, variant=variant, goal_type=goal_type,
        objective=objective, baseline_period=baseline,
        target_value=parse_number(target, "--target") if target else None,
        target_change_pct=parse_change(change) if change else None,
        deadline=deadline, networks=network or [], accounts=account or [],
        campaign=campaign, owner=owner, title=title,
        milestones=[parse_milestone(m, i) for i, m in enumerate(milestone or [], start=1)],
    )
    a, ws = open_workspace(workspace)
    t = a.goals.create(acting(), ws, spec, day)

    def text(d: dict[str, Any]) -> None:
        typer.echo(f"goal {t.goal.id} created in workspace {ws.slug!r}")
        _print_goal(d)

    emit_document(f, t.as_dict(), text)


@goals_app.command("list")
def goals_list(
    all_: Annotated[bool, typer.Option("--all", help="Include archived goals.")] = False,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Goals with progress, expected progress, forecast and status."""
    f = _fmt(fmt)
    a, ws = open_workspace(workspace)
    emit_document(f, [t.as_dict(detail=False) for t in a.goals.list(ws, _today(today), all_)],
                  _print_goals)


def _print_goals(items: list[dict[str, Any]]) -> None:
    """The goal board as a table (or how to start one)."""
    if not items:
        typer.echo("no goals yet: create one with `socialpulse goals add TEMPLATE` "
                   "(see `socialpulse goals templates`)")
        return
    rows = []
    for d in items:
        fc = d["forecast"]
        rows.append([
            str(d["id"]), d["title"][:60], d["baseline"]["display"], d["current"]["display"],
            d["target"]["display"], _pct(d["progress"]), _pct(d["expected"]),
            fc["display"] if fc else "n/a", d["deadline"],
            d["status"].replace("_", " ") + (" (archived)" if d["archived"] else ""),
        ])
    print_table(["id", "title", "baseline", "current", "target", "progress", "expected",
                 "forecast", "deadline", "status"], rows)


@goals_app.command("show")
def goals_show(
    goal_id: Annotated[int, id_argument("Goal id (see `goals list`).")],
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """One goal: baseline, current, target, progress, forecast with interval, status, reason,
    SMART checks, milestones, check-ins and status history."""
    f = _fmt(fmt)
    a, ws = open_workspace(workspace)
    emit_document(f, a.goals.track(ws, goal_id, _today(today)).as_dict(), _print_goal)


@goals_app.command("check-in")
def goals_check_in(
    goal_id: Annotated[int, id_argument("Goal id (see `goals list`).")],
    comment: Annotated[str, typer.Option("--comment", "-m", help="What happened.")],
    author: Annotated[str, typer.Option(help="Who checks in.")] = "",
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Record a check-in: the value measured now, the status and your comment."""
    f = _fmt(fmt)
    a, ws = open_workspace(workspace)

    def text(d: dict[str, Any]) -> None:
        typer.echo(f"checked in on goal {goal_id}: {d['current']['display']}, "
                   f"{_pct(d['progress'])} of the way, {d['status'].replace('_', ' ')}")

    t = a.goals.check_in(acting(), ws, goal_id, comment, author, _today(today))
    emit_document(f, t.as_dict(), text)


@goals_app.command("revise")
def goals_revise(
    goal_id: Annotated[int, id_argument("Goal id (see `goals list`).")],
    reason: Annotated[str, typer.Option("--reason", "-m", help="Why the goal changes.")],
    target: Annotated[str | None, typer.Option(help="New absolute target value.")] = None,
    change: Annotated[str | None, typer.Option(help="New target as % change: +20% or -10%.")]
    = None,
    deadline: Annotated[str | None, typer.Option(help="New due date (YYYY-MM-DD).")] = None,
    milestone: Annotated[list[str] | None, typer.Option(
        help="Replace the milestones: DATE=TARGET[:label] (repeat).")] = None,
    no_milestones: Annotated[bool, typer.Option("--no-milestones",
                                                help="Remove every milestone.")] = False,
    objective: Annotated[str | None, typer.Option(help="New business objective.")] = None,
    owner: Annotated[str | None, typer.Option(help="New owner.")] = None,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    author: Annotated[str, typer.Option(help="Who revises it.")] = "",
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Move a goal's target or deadline (or its milestones, title, objective, owner).

    What the goal measures stays; the revision is checked like a new goal and logged as a
    check-in with your reason."""
    # on use: --help imports every command module, and these the whole goals domain
    from socialpulse.services.goal_input import parse_change, parse_milestone, parse_number

    f = _fmt(fmt)
    if milestone and no_milestones:
        raise InvalidInput("--milestone and --no-milestones: give one of them")
    changes: dict[str, Any] = {
        "target_value": parse_number(target, "--target") if target else None,
        "target_change_pct": parse_change(change) if change else None,
        "deadline": deadline, "objective": objective, "owner": owner, "title": title,
        "milestones": ([] if no_milestones else
                       [parse_milestone(m, i) for i, m in enumerate(milestone, start=1)]
                       if milestone else None),
    }
    a, ws = open_workspace(workspace)
    t = a.goals.revise(acting(), ws, goal_id, changes, reason, author, _today(today))

    def text(d: dict[str, Any]) -> None:
        typer.echo(f"goal {goal_id} revised (the change is logged in its check-ins)")
        _print_goal(d)

    emit_document(f, t.as_dict(), text)


@goals_app.command("archive")
def goals_archive(goal_id: Annotated[int, id_argument("Goal id (see `goals list`).")],
                  workspace: WorkspaceOpt = None) -> None:
    """Archive a goal (kept with its history, hidden from the board)."""
    a, ws = open_workspace(workspace)
    a.goals.archive(acting(), ws, goal_id)
    typer.echo(f"goal {goal_id} archived")


def _pct(p: float | None) -> str:
    return "n/a" if p is None else f"{p * 100:.0f}%"


def _print_goal(d: dict[str, Any]) -> None:
    echo = typer.echo
    echo(f"#{d['id']} {d['title']}")
    echo(f"  goal type   {d['goal_type']}   objective: {d['objective']}")
    echo(f"  metric      {d['metric']} ({d['variant']}) for {d['scope']['label']}")
    echo(f"  baseline    {d['baseline']['display']} over {d['baseline']['period']}")
    echo(f"              the {d['baseline']['in_words']}")
    tc = d["target"]["change_pct"]
    echo(f"  target      {d['target']['display']}"
         + (f" ({tc:+g}% on the baseline)" if tc is not None else "")
         + f" in the {d['window_days']} days up to {d['deadline']}")
    echo(f"  current     {d['current']['display']} over {d['current']['window']}")
    echo(f"  progress    {_pct(d['progress'])} (expected by now {_pct(d['expected'])})")
    fc = d["forecast"]
    if fc:
        band = f", {fc['coverage']:.0%} interval {fc['interval_display']}" if fc[
            "interval_display"] else ""
        mape = (f"; backtest MAPE {fc['backtest_mape_pct']:.1f}% over "
                f"{fc['backtest_forecasts']} past forecasts" if fc["backtest_mape_pct"] is not None
                else "")
        echo(f"  forecast    {fc['display']} at {fc['at']}{band}{mape}")
    echo(f"  status      {d['status_label'].upper()}: {d['reason']}")
    if d.get("owner"):
        echo(f"  owner       {d['owner']}")
    if d.get("smart"):
        echo("  SMART")
        for c in d["smart"]:
            echo(f"    {c['letter']} {c['level']:<4} {c['name']}: {c['explanation']}")
    for m in d.get("milestones") or []:
        state = {True: "reached", False: "not reached", None: "ahead"}[m["reached"]]
        echo(f"  milestone   {m['due']} {m['display']} {m['label']} ({state})")
    for c in d.get("checkins") or []:
        val = format_value(c["value"], d["unit"])
        echo(f"  check-in    {c['on']} {c['author'] or '-'}: {c['comment']} "
             f"[{val}, {_pct(c['progress'])}, {c['status'].replace('_', ' ')}]")
    for h in d.get("status_history") or []:
        echo(f"  history     {h['on']} {h['status'].replace('_', ' ')}")
    for n in d.get("notes") or []:
        echo(f"  note        {n}")


# --- OKRs ----------------------------------------------------------------------------------


@okrs_app.command("add")
def okrs_add(
    title: Annotated[str, typer.Argument(help="The objective (qualitative).")],
    kr: Annotated[list[str], typer.Option(
        "--kr", help="A key result (3 to 5): template=ID, metric=ID;change=+10%, "
        "metric=ID;target=VALUE, or milestone=TEXT.")],
    deadline: Annotated[str, typer.Option(help="Due date of the objective (YYYY-MM-DD).")],
    kind: Annotated[str, typer.Option(help="committed (expected 1.0) or aspirational "
                                      "(0.7 is success).")] = "aspirational",
    owner: Annotated[str, typer.Option(help="Who owns the objective.")] = "",
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Create an OKR; metric key results become tracked goals."""
    from socialpulse.services.goal_input import parse_key_result  # on use, not on --help

    f = _fmt(fmt)
    krs = [parse_key_result(k, i) for i, k in enumerate(kr, start=1)]
    a, ws = open_workspace(workspace)

    def text(d: dict[str, Any]) -> None:
        typer.echo(f"objective {d['id']} created in workspace {ws.slug!r}")
        _print_okr(d)

    d = a.goals.add_okr(acting(), ws, title, krs, deadline, kind, owner, _today(today))
    emit_document(f, d, text)


@okrs_app.command("list")
def okrs_list(workspace: WorkspaceOpt = None, today: TodayOpt = None,
              fmt: FormatOpt = "table") -> None:
    """Objectives with their grades."""
    f = _fmt(fmt)
    a, ws = open_workspace(workspace)
    emit_document(f, a.goals.okrs(ws, _today(today)), _print_okrs)


def _print_okrs(items: list[dict[str, Any]]) -> None:
    """The objectives as a table (or how to add one)."""
    if not items:
        typer.echo("no OKRs yet: create one with `socialpulse okrs add`")
        return
    print_table(
        ["id", "objective", "kind", "deadline", "key results", "grade", "graded"],
        [[str(o["id"]), o["title"][:60], o["kind"], o["deadline"], str(len(o["key_results"])),
          o["grade_text"], o["coverage"]] for o in items])


@okrs_app.command("show")
def okrs_show(objective_id: Annotated[int, id_argument("Objective id (see `okrs list`).")],
              workspace: WorkspaceOpt = None, today: TodayOpt = None,
              fmt: FormatOpt = "table") -> None:
    """An objective and its key results with grades and colours."""
    f = _fmt(fmt)
    a, ws = open_workspace(workspace)
    emit_document(f, a.goals.okr(ws, objective_id, _today(today)), _print_okr)


@okrs_app.command("grade")
def okrs_grade(
    objective_id: Annotated[int, id_argument("Objective id (see `okrs list`).")],
    kr: Annotated[int | None, typer.Option("--kr", help="Milestone key result (1-5) to "
                                           "grade.")] = None,
    grade: Annotated[float | None, typer.Option(help="Grade 0.0 to 1.0.")] = None,
    comment: Annotated[str, typer.Option("--comment", "-m", help="Check-in comment.")] = "",
    author: Annotated[str, typer.Option(help="Who grades.")] = "",
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Grade the OKR: metric key results from their data, milestone ones by check-in
    (``--kr N --grade G``)."""
    f = _fmt(fmt)
    if (kr is None) != (grade is None):
        raise InvalidInput("--kr and --grade go together: --kr 3 --grade 0.5")
    a, ws = open_workspace(workspace)
    day = _today(today)
    if kr is not None and grade is not None:
        d = a.goals.grade_key_result(acting(), ws, objective_id, kr, grade, comment, author,
                                     day)
    else:
        d = a.goals.okr(ws, objective_id, day)
    emit_document(f, d, _print_okr)


def _print_okr(d: dict[str, Any]) -> None:
    typer.echo(f"#{d['id']} {d['title']}  [{d['kind']}, due {d['deadline']}]")
    for k in d["key_results"]:
        typer.echo(f"  KR{k['position']} {k['grade_text']:<8} {k['colour']:<6} {k['title']}"
                   f"  - {k['display']} ({k['graded_by']})")
    typer.echo(f"  objective grade {d['grade_text']} ({d['colour']}): {d['verdict']}")
