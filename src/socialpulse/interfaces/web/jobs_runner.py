"""The web app's in-process job runner: a `BackgroundRunner` thread started and stopped with
the app's lifespan, so `socialpulse serve` runs queued jobs (web imports, scheduled reports)
without a second process. Pages that enqueue a job call `wake_jobs` so it starts at once
(and the thread starts even under a server that runs no lifespan)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from socialpulse.bootstrap import App
from socialpulse.services.jobs import BackgroundRunner, worker_name


def make_runner(sp: App, enabled: bool) -> BackgroundRunner | None:
    """The runner of one web app (None when the server runs no jobs: `--no-worker`)."""
    return BackgroundRunner(sp.jobs.runner(sp, worker_name("serve"))) if enabled else None


def jobs_lifespan(runner: BackgroundRunner | None
                  ) -> Callable[[FastAPI], AbstractAsyncContextManager[Any]]:
    """Start the runner with the app, stop it (leaving a running job to its lease) after."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runner is not None:
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()

    return lifespan


def wake_jobs(request: Request) -> None:
    """A job was queued: let this process's runner look now (no-op without one)."""
    runner: BackgroundRunner | None = getattr(request.app.state, "jobs_runner", None)
    if runner is not None:
        runner.wake()
