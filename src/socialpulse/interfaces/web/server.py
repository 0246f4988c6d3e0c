"""The app factory that every process of ``socialpulse serve --workers N`` calls.

uvicorn starts N processes that each import the app by name, so the settings travel in the
environment (`export_settings`): the data home, the database URL, the query engine, the
allowed host names and whether the process runs queued jobs. One process (``--workers 1``,
the default) builds the same app directly.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from dataclasses import replace

from fastapi import FastAPI

from socialpulse.settings import DEFAULT_HOST, Settings

#: Whether a server process runs queued jobs in a thread ("1") or leaves them to others ("0").
ENV_RUN_JOBS = "SOCIALPULSE_SERVE_JOBS"
#: The address the server binds (with no users, only loopback serves the local user).
ENV_HOST = "SOCIALPULSE_SERVE_HOST"
#: The import string uvicorn's worker processes call (``factory=True``).
FACTORY = "socialpulse.interfaces.web.server:app_from_env"


def export_settings(settings: Settings, run_jobs: bool,
                    env: MutableMapping[str, str] = os.environ) -> None:
    """Put ``settings`` where `app_from_env` finds them in the server's worker processes."""
    env["SOCIALPULSE_HOME"] = str(settings.home)
    env[ENV_HOST] = settings.host
    if settings.database_url:
        env["SOCIALPULSE_DATABASE_URL"] = settings.database_url
    env["SOCIALPULSE_QUERY_ENGINE"] = settings.query_engine
    env["SOCIALPULSE_ALLOWED_HOSTS"] = ",".join(settings.allowed_hosts)
    env[ENV_RUN_JOBS] = "1" if run_jobs else "0"


def app_from_env() -> FastAPI:
    """The web app of the settings `export_settings` left in the environment."""
    from socialpulse.interfaces.web.app import create_app

    settings = replace(Settings.from_env(), host=os.environ.get(ENV_HOST) or DEFAULT_HOST)
    return create_app(settings, run_jobs=os.environ.get(ENV_RUN_JOBS, "1") != "0")
