"""Imports as background jobs: the preview (parse and map) and the commit (write one batch).

The web upload saves its files under the data home and queues ``import.preview``; the page
follows the job in the database, and its Import button queues ``import.commit``, which parses
the same files again (with the preview's clock, so what is written is what was shown) and
writes the batch. Both are retried when a worker dies: parsing writes nothing, and the lake's
batch ledger completes or redoes an interrupted write (`Lake.ingest`), so a job run twice
still imports once.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from socialpulse.domain.actor import Action, Actor
from socialpulse.domain.errors import SocialPulseError
from socialpulse.services.imports import ImportOptions
from socialpulse.services.jobs import JobContext, JobKind, register_kind

PREVIEW = "import.preview"
COMMIT = "import.commit"


def import_payload(workspace: str, folder: Path, files: list[tuple[Path, str]],
                   options: ImportOptions, now: datetime) -> dict[str, Any]:
    """The payload of both import jobs: where the saved files are and how to read them."""
    return {"workspace": workspace, "folder": str(folder),
            "files": [[str(p), name] for p, name in files],
            "options": {"fmt": options.fmt, "account": options.account, "year": options.year,
                        "encoding": options.encoding, "source_tz": options.source_tz},
            "now": now.isoformat()}


def _jsonable(v: Any) -> Any:
    return json.loads(json.dumps(v, default=str))


def _plan(ctx: JobContext) -> Any:
    p = ctx.payload
    ws = ctx.services.workspace(p["workspace"])
    files = [(Path(path), name) for path, name in p["files"]]
    return ctx.services.imports.plan(ws, files, ImportOptions(**p["options"]), ctx.progress,
                                     now=datetime.fromisoformat(p["now"]))


def _names(payload: Mapping[str, Any]) -> str:
    return ", ".join(name for _, name in payload["files"])


def run_preview(ctx: JobContext) -> dict[str, Any]:
    """Parse and map the files; the result is the preview the page shows."""
    try:
        return {"plan": _jsonable(_plan(ctx).as_dict())}
    except SocialPulseError:  # the files are wrong: nothing will use them again
        shutil.rmtree(ctx.payload["folder"], ignore_errors=True)
        raise


def run_commit(ctx: JobContext) -> dict[str, Any]:
    """Parse the files again and write them as one batch; the files are deleted after."""
    try:
        plan = _plan(ctx)
        result = ctx.services.imports.commit(Actor.system("worker"), plan,
                                             _names(ctx.payload)[:500], ctx.progress)
    except SocialPulseError:
        shutil.rmtree(ctx.payload["folder"], ignore_errors=True)
        raise
    shutil.rmtree(ctx.payload["folder"], ignore_errors=True)
    out: dict[str, Any] = _jsonable(result.as_dict())
    return out


def _rows(result: Mapping[str, Any], key: str) -> str:
    rows = result.get(key) or (result.get("plan") or {}).get(key) or {}
    return ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in rows.items() if n) or "no rows"


register_kind(JobKind(
    PREVIEW, "import preview", run_preview, Action.DATA_IMPORT, max_attempts=3,
    describe=lambda p: f"{p['workspace']}: {_names(p)[:80]}",
    summary=lambda r: f"would import {_rows(r, 'rows')}"))
register_kind(JobKind(
    COMMIT, "import", run_commit, Action.DATA_IMPORT, max_attempts=3,
    describe=lambda p: f"{p['workspace']}: {_names(p)[:80]}",
    summary=lambda r: ("already imported" if r.get("already_imported")
                       else f"wrote {_rows(r, 'written')} as batch {r.get('batch_id')}")))
