"""`socialpulse audit`, `socialpulse assess` and `socialpulse benchmark ...`.

The audit puts every own account in one place and saves baselines for goals; `assess` takes
the Social Maturity Assessment from an answers file (or shows the latest result); `benchmark`
imports and exports packs of aggregates (never answers).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialpulse.bootstrap import App
from socialpulse.domain import maturity as mat
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.formatting import format_value
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import parse_period
from socialpulse.interfaces.cli.common import (
    TableJsonFormatOpt,
    TextJsonFormatOpt,
    WorkspaceOpt,
    acting,
    check_format,
    echo_json,
    emit,
    emit_document,
    open_app,
    open_workspace,
    print_table,
)
from socialpulse.interfaces.cli.root import app

if TYPE_CHECKING:  # --help imports every command module: annotations only
    from socialpulse.services.audit import AuditReport

maturity_app = typer.Typer(no_args_is_help=True)
benchmark_app = typer.Typer(
    help="Benchmark packs (aggregates only): list, import, export, remove.", no_args_is_help=True
)
maturity_app.add_typer(benchmark_app, name="benchmark")
app.add_typer(maturity_app)

AUDIT_COLUMNS = ["rank", "account", "function", "posts_per_week", "followers",
                 "audience_growth_rate", "engagement_rate", "response_rate", "best_content_types",
                 "best_hours", "verdict", "reason", "flags"]


def _write_text(text: str, output: Path | None) -> None:
    """Write to a file atomically (temp + rename), or to stdout."""
    if output is None:
        sys.stdout.write(text)
        return
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInput(f"--output {output}: cannot write ({exc.strerror})") from None


# --- audit -------------------------------------------------------------------------------------


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["best_content_types"] = ", ".join(t["type"] for t in row["best_content_types"])
    out["best_hours"] = ", ".join(f"{h['hour']:02d}h" for h in row["best_hours"])
    out["flags"] = "; ".join(row["flags"])
    return out


@maturity_app.command("audit")
def audit(
    workspace: WorkspaceOpt = None,
    period: Annotated[str | None, typer.Option(
        help="2026-Q3, 2026-09, 2026-W37 or A..B (default: the last 90 days with data).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    save: Annotated[bool, typer.Option(
        "--save/--no-save",
        help="Store the run and its baselines for goals (a read stores nothing).")] = False,
    baselines: Annotated[bool, typer.Option(
        "--baselines", help="List the baselines of the latest run instead of auditing.")] = False,
) -> None:
    """Audit every own account: activity, audience, engagement, best content and times,
    a verdict against the workspace median, and flags. --save stores baselines goals can use."""
    f = check_format(fmt)
    rng = parse_period(period, "--period", date.today()) if period else None
    a, ws = open_workspace(workspace)
    if baselines:
        _print_baselines(a, ws, f)
        return
    report = a.audit.save(acting(), ws, rng) if save else a.audit.run(ws, rng)
    if f == "json":
        echo_json(report.as_dict())
        return
    rows = [_flat(r) for r in report.accounts]
    if f == "csv":
        emit(f, AUDIT_COLUMNS, rows)
        return
    _print_audit(ws, report, rows)


def _print_baselines(a: App, ws: Workspace, f: str) -> None:
    """`audit --baselines`: the latest run's baselines, per account and for the workspace."""
    found = a.audit.baselines(ws)
    if not found:
        raise InvalidInput(f"workspace {ws.slug!r} has no audit yet; run `socialpulse audit`")
    labels = {x.id: x.label for x in a.workspaces.accounts(ws)}
    recs = [{**b.as_dict(), "account": labels.get(b.account_id, "own accounts")
             if b.account_id else "own accounts"} for b in found]
    cols = ["run_id", "account", "metric", "variant", "period_start", "period_end", "value",
            "how"]
    if f == "table":
        units = {m.id: m.variant().unit for m in a.catalogue.metrics.values()}
        print_table(cols[1:-1], [
            [str(r["account"]), r["metric"], r["variant"], r["period_start"], r["period_end"],
             format_value(r["value"], units.get(r["metric"], "ratio"))] for r in recs])
    else:
        emit(f, cols, recs)


def _print_audit(ws: Workspace, report: AuditReport, rows: list[dict[str, Any]]) -> None:
    """The audit as text: the accounts ranked, the medians, why each verdict, the flags."""
    typer.echo(f"Audit of {ws.name}, {report.period.label()}: "
               f"{len(rows)} own accounts")
    print_table(
        ["#", "account", "function", "posts/wk", "followers", "growth", "eng. rate",
         "best types", "best hours", "verdict"],
        [[str(r["rank"]), r["account"], r["function"],
          format_value(r["posts_per_week"], "ratio"), format_value(r["followers"], "count"),
          format_value(r["audience_growth_rate"], "percent"),
          format_value(r["engagement_rate"], "percent"), r["best_content_types"],
          r["best_hours"], r["verdict"]] for r in rows],
    )
    m = report.medians
    typer.echo(
        f"\nworkspace medians: engagement rate {format_value(m['engagement_rate'], 'percent')}, "
        f"audience growth {format_value(m['audience_growth_rate'], 'percent')}, "
        f"{format_value(m['posts_per_week'], 'ratio')} posts/week"
    )
    typer.echo("\nwhy:")
    for r in report.accounts:
        typer.echo(f"  {r['rank']}. {r['account']}: {r['verdict']} - {r['reason']}")
    flagged = [(r["account"], fl) for r in report.accounts for fl in r["flags"]]
    if flagged:
        typer.echo("\nflags:")
        for acc, fl in flagged:
            typer.echo(f"  ! {acc}: {fl}")
    if report.run_id is not None:
        typer.echo(f"\nsaved as audit run {report.run_id} with baselines for goals "
                   "(`socialpulse audit --baselines`)")
    for note in report.notes:
        typer.echo(f"note: {note}", err=True)


# --- assess ------------------------------------------------------------------------------------


@maturity_app.command("assess")
def assess(
    answers: Annotated[Path | None, typer.Option(
        "--answers", "-a", help="YAML or JSON answers file (see --template).")] = None,
    template: Annotated[bool, typer.Option(
        "--template", help="Write a blank answers file with every question and answer.")] = False,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="With --template: write to this file instead of stdout.")] = None,
    industry: Annotated[str | None, typer.Option(
        help=f"Set the organisation profile: one of {', '.join(mat.INDUSTRIES)}.")] = None,
    size_band: Annotated[str | None, typer.Option(
        "--size-band", help=f"Employees: one of {', '.join(mat.SIZE_BANDS)}.")] = None,
    region: Annotated[str | None, typer.Option(
        help=f"One of {', '.join(mat.REGIONS)}.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: TextJsonFormatOpt = "text",
) -> None:
    """The Social Maturity Assessment: answer from a file, or show the latest result."""
    f = check_format(fmt, ("text", "json"))
    if template:
        # the questionnaire is package data: no data home needed for a template
        from socialpulse.services.maturity import questionnaire, template_text

        _write_text(template_text(questionnaire()), output)
        if output is not None:
            typer.echo(f"blank answers file written to {output}", err=True)
        return
    a, ws = open_workspace(workspace)
    svc = a.maturity
    if industry or size_band or region:
        current = svc.profile(ws)
        p = svc.set_profile(
            acting(), ws, industry or (current.industry if current else ""),
            size_band or (current.size_band if current else ""),
            region or (current.region if current else ""),
        )
        typer.echo(f"organisation profile: {p.label}", err=True)
    result = (svc.assess_file(acting(), ws, answers) if answers is not None
              else svc.result(ws))
    emit_document(f, result.as_dict(svc.questionnaire), _print_result)


def _print_result(d: dict[str, Any]) -> None:
    s = d["scores"]
    a = d["assessment"]
    prof = d["profile"]
    who = (f" - {mat.INDUSTRIES[prof['industry']]}, {mat.SIZE_BANDS[prof['size_band']]}, "
           f"{mat.REGIONS[prof['region']]}") if prof else ""
    typer.echo(f"Social Maturity Assessment #{a['id']} (questionnaire v{a['questionnaire_version']}"
               f", {(a['completed_at'] or '')[:10]}){who}")
    typer.echo(f"overall {s['overall_score']:.1f}/100: stage {s['mean_stage']} "
               f"{s['mean_stage_name']} (mean); weakest link: stage {s['weakest_stage']} "
               f"{s['weakest_stage_name']} ({', '.join(s['weakest_dimensions'])})")
    change = {p["dimension"]: p["change"] for p in d["progress"]}
    pack = next((b for b in d["benchmarks"] if b.get("source") == "pack"), None)
    pct = {r["dimension"]: r for r in pack["rows"]} if pack else {}
    header = ["dimension", "score", "stage", "change"]
    if pack:
        header.append("percentile")
    rows = []
    for dim in s["dimensions"]:
        row = [dim["name"], f"{dim['score']:.1f}", f"{dim['stage']} {dim['stage_name']}",
               "n/a" if dim["dimension"] not in change else f"{change[dim['dimension']]:+.1f}"]
        if pack:
            c = pct.get(dim["dimension"])
            row.append("hidden" if not c or c["percentile"] is None else f"{c['percentile']:.0f}")
        rows.append(row)
    typer.echo("")
    print_table(header, rows)
    if d["previous"]:
        typer.echo(f"change: since assessment #{d['previous']['id']} "
                   f"({(d['previous']['completed_at'] or '')[:10]})")
    for b in d["benchmarks"]:
        typer.echo(f"\nbenchmark: {b['label']}")
        hidden = [r for r in b["rows"] if r["hidden"]]
        shown = [r for r in b["rows"] if not r["hidden"]]
        if shown:
            r0 = shown[-1]
            typer.echo(f"  group {r0['group']}: overall percentile "
                       f"{r0['percentile'] if r0['dimension'] == 'overall' else 'n/a'} "
                       f"(n={r0['n']})")
        if hidden:
            reason = str(hidden[0]["hidden"]).removeprefix("hidden: ")
            typer.echo(f"  {len(hidden)} comparison(s) hidden: {reason}")
    if d["evidence"]:
        typer.echo("\nevidence from the workspace's data:")
        for e in d["evidence"]:
            mark = {"overstated": "!", "understated": "?", "agrees": "ok", "no data": "-"}
            typer.echo(f"  {mark.get(e['status'], '-'):<2} {e['question']}: {e['message']}")
    if d["recommendations"]:
        typer.echo("\nrecommendations (weakest dimensions first):")
        for i, r in enumerate(d["recommendations"], start=1):
            typer.echo(f"  {i}. [{r['dimension_name']}] {r['title']}: {r['action']}")
            typer.echo(f"     source: {r['seed']}")
            typer.echo(f"     make it a goal: socialpulse goals add {r['goal_template']}")


# --- benchmark ---------------------------------------------------------------------------------


@benchmark_app.command("list")
def benchmark_list(fmt: TableJsonFormatOpt = "table") -> None:
    """Imported benchmark packs."""
    f = check_format(fmt, ("table", "json"))
    a = open_app()
    recs: list[dict[str, Any]] = [
        {"name": sp.pack.name, "label": sp.pack.label, "synthetic": sp.pack.synthetic,
         "groups": len(sp.pack.groups),
         "hidden_groups": sum(1 for g in sp.pack.groups if g.n < mat.MIN_GROUP),
         "questionnaire_version": sp.pack.questionnaire_version,
         "imported_at": sp.imported_at.isoformat()} for sp in a.maturity.packs()]
    emit_document(f, recs, lambda recs: print_table(
        ["name", "label", "groups", "hidden (n<5)", "imported"],
        [[r["name"], r["label"], str(r["groups"]), str(r["hidden_groups"]),
          r["imported_at"][:10]] for r in recs],
    ))


@benchmark_app.command("import")
def benchmark_import(
    file: Annotated[Path, typer.Argument(help="Pack file (YAML or JSON, see docs/maturity.md).")],
) -> None:
    """Import a benchmark pack of aggregates (replaces a pack with the same name)."""
    a = open_app()
    sp = a.maturity.import_pack(acting(), file)
    hidden = sum(1 for g in sp.pack.groups if g.n < mat.MIN_GROUP)
    typer.echo(f"benchmark pack {sp.pack.name!r} imported: {len(sp.pack.groups)} groups"
               + (f" ({hidden} with fewer than {mat.MIN_GROUP} organisations, never shown)"
                  if hidden else "")
               + (" - SYNTHETIC DEMO DATA" if sp.pack.synthetic else ""))


@benchmark_app.command("remove")
def benchmark_remove(name: Annotated[str, typer.Argument(help="Pack name.")]) -> None:
    """Remove an imported benchmark pack."""
    a = open_app()
    a.maturity.remove_pack(acting(), name)
    typer.echo(f"benchmark pack {name!r} removed")


@benchmark_app.command("export")
def benchmark_export(
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="File to write (default: stdout).")] = None,
    pack: Annotated[str | None, typer.Option(
        help="Export an imported pack by name instead of this installation's aggregates.")]
    = None,
    name: Annotated[str, typer.Option(help="Name of the exported pack.")] = "installation",
    fmt: Annotated[str, typer.Option("--format", "-f", help="yaml or json.")] = "yaml",
) -> None:
    """Export aggregates (quantiles and n per industry x size band x dimension), never answers;
    groups of fewer than 5 organisations are left out."""
    import yaml  # on use: --help imports every command module

    f = check_format(fmt, ("yaml", "json"))
    a = open_app()
    if pack:
        doc = a.maturity.export_pack(pack)
        note = f"pack {pack!r}: {len(doc['groups'])} groups"
    else:
        doc, orgs, suppressed = a.maturity.export_installation(name)
        note = (f"{orgs} organisations, {len(doc['groups'])} groups"
                + (f"; {suppressed} groups left out (fewer than {mat.MIN_GROUP} organisations)"
                   if suppressed else ""))
        if not doc["groups"]:
            raise InvalidInput(
                f"nothing to export: {orgs} assessed organisation(s) with a profile, and no "
                f"industry x size band group reaches {mat.MIN_GROUP}"
            )
    text = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n" if f == "json"
            else yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    _write_text(text, output)
    typer.echo(f"exported {note}", err=True)
