"""Job kinds registered by the queue tests (a real registry entry each, no mock of the queue).

``touch`` (retried after a dead worker) and ``outside`` (outcome unknown once it may have acted
outside) write one file per run into the payload's folder: ``start-<job>-<try>`` when a try
begins and ``done-<job>-<try>`` when it ends, so a test counts how often each job ran. A
payload's ``hold_first`` makes the first try wait (up to two minutes) so a test can kill the
worker in the middle of it.

A worker in another process registers them with `python -m tests.jobs.kinds SUFFIX worker
...`: the real `socialpulse worker` command, with these kinds in its registry.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path
from typing import Any

from socialpulse.domain.actor import Action
from socialpulse.domain.jobs import OnExpiry
from socialpulse.services.jobs import JobContext, JobKind, register_kind

HOLD_S = 120.0


def _run(ctx: JobContext, outside: bool) -> dict[str, Any]:
    folder = Path(ctx.payload["dir"])
    tag = f"{ctx.job.id}-{ctx.job.attempts}"
    (folder / f"start-{tag}-{uuid.uuid4().hex[:6]}").touch()
    if outside:
        ctx.acting_outside()
    ctx.progress("working", 0, 1)
    # hold only the job's very first run: a retry by a person (`worker --retry`) counts its
    # tries afresh and must not hold again
    holding = folder / f"holding-{ctx.job.id}"
    if ctx.payload.get("hold_first") and ctx.job.attempts == 1 and not holding.exists():
        holding.touch()
        deadline = time.monotonic() + HOLD_S
        while time.monotonic() < deadline:
            time.sleep(0.05)
    (folder / f"done-{tag}-{uuid.uuid4().hex[:6]}").touch()
    return {"n": ctx.payload.get("n")}


def register(suffix: str) -> tuple[str, str]:
    """Register ``test.touch.SUFFIX`` and ``test.outside.SUFFIX``; answers their names."""
    touch, outside = f"test.touch.{suffix}", f"test.outside.{suffix}"
    register_kind(JobKind(touch, "test job", lambda ctx: _run(ctx, False), Action.JOBS_RUN,
                          max_attempts=3, on_expiry=OnExpiry.RETRY,
                          describe=lambda p: f"number {p.get('n')}",
                          summary=lambda r: f"touched number {r.get('n')}"))
    register_kind(JobKind(outside, "test job acting outside", lambda ctx: _run(ctx, True),
                          Action.JOBS_RUN, max_attempts=3, on_expiry=OnExpiry.UNKNOWN,
                          describe=lambda p: f"number {p.get('n')}"))
    return touch, outside


def runs(folder: Path, what: str = "done") -> dict[int, int]:
    """How many tries of each job reached ``what`` (start or done)."""
    out: dict[int, int] = {}
    for f in folder.glob(f"{what}-*"):
        job = int(f.name.split("-")[1])
        out[job] = out.get(job, 0) + 1
    return out


if __name__ == "__main__":
    from socialpulse.interfaces.cli.main import main

    register(sys.argv[1])
    sys.exit(main(sys.argv[2:]))
