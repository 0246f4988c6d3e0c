"""``socialpulse worker``: run the queued background jobs (imports, scheduled reports...).

    socialpulse worker            # run jobs as they come, until stopped (Ctrl+C, SIGTERM)
    socialpulse worker --once     # run what is due now, then exit
    socialpulse worker --retry 12 # queue job 12 again (failed, or its outcome was unknown)

`socialpulse serve` runs the same loop in a thread, so one machine needs no second process;
start workers on other machines (sharing the PostgreSQL database and the data home's folder)
to spread the work. Each job is printed as one line with its outcome in words.
"""

from __future__ import annotations

import signal
import threading
from datetime import timedelta
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from socialpulse.domain.jobs import JobState
from socialpulse.interfaces.cli.common import acting, open_app
from socialpulse.interfaces.cli.root import app

if TYPE_CHECKING:  # --help imports every command module: annotations only
    from socialpulse.services.jobs import Outcome


def _print(outcome: Outcome) -> None:
    bad = outcome.state in (JobState.FAILED, JobState.UNKNOWN) or outcome.retry_at is not None
    typer.echo(outcome.line(), err=bad)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(
        "--once", help="Run the jobs that are due now, then exit (1 if one failed).")] = False,
    lease: Annotated[float | None, typer.Option(
        min=0.5, help="Seconds a job stays claimed without a heartbeat; a worker that dies "
        "holds its job this long before another takes it over "
        "(default: $SOCIALPULSE_JOB_LEASE_S, else 60).", show_default=False)] = None,
    poll: Annotated[float, typer.Option(
        min=0.1, help="Seconds between looks at the queue when idle.")] = 2.0,
    retry: Annotated[int | None, typer.Option(
        "--retry", min=1, max=2**63 - 1, metavar="JOB",
        help="Queue this failed (or outcome unknown) job again, then exit.")] = None,
) -> None:
    """Run queued background jobs: web imports, scheduled reports (until stopped)."""
    from socialpulse.services.jobs import worker_name  # on use: --help imports every module

    a = open_app()
    if retry is not None:
        job = a.jobs.get(retry)
        kind = a.jobs.kinds.get(job.kind)
        if not a.jobs.retry_now(acting(), retry):
            typer.echo(f"job {retry} is {job.state.words}: nothing to retry")
            raise typer.Exit(1)
        typer.echo(f"job {retry} ({kind.label if kind else 'job'}) queued again")
        return
    runner = a.jobs.runner(a, worker_name("worker"),
                           lease=timedelta(seconds=lease) if lease else None)
    if once:
        outcomes = runner.drain()
        for outcome in outcomes:
            _print(outcome)
        if not outcomes:
            typer.echo("no jobs due")
        if any(o.state in (JobState.FAILED, JobState.UNKNOWN) or o.retry_at for o in outcomes):
            raise typer.Exit(1)
        return
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()
        runner.wake()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    typer.echo(f"socialpulse worker {runner.worker_id} waiting for jobs (Ctrl+C to stop)")
    runner.run_forever(stop, poll, _print)
    typer.echo("socialpulse worker stopped")
