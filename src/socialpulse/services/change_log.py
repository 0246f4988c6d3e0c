"""The activity log, read: who changed what and when, for a workspace or the whole server.

Nothing here writes: the store records every change itself, stamped by `authorize` (see
`domain.change_log`). Reading needs ``audit.read``: in one workspace, the roles that hold it
there; across every workspace (and the changes outside any workspace: users, tokens), only
someone who holds it everywhere (the local user, a site admin).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.change_log import ChangeEntry
from socialpulse.domain.errors import InvalidInput
from socialpulse.services.ports import ChangeLogReads

#: How many entries one read returns at most (the newest).
MAX_ENTRIES = 10_000
DEFAULT_ENTRIES = 200


class ChangeLogService:
    def __init__(self, reads: ChangeLogReads) -> None:
        self.reads = reads

    def entries(self, actor: Actor, workspace: str | None = None, since: date | None = None,
                limit: int = DEFAULT_ENTRIES) -> list[ChangeEntry]:
        """The newest ``limit`` entries of ``workspace`` (None: all), from ``since`` on (a day,
        UTC)."""
        if not 1 <= limit <= MAX_ENTRIES:
            raise InvalidInput(f"limit: {limit} is not between 1 and {MAX_ENTRIES}")
        authorize(actor, Action.AUDIT_READ, workspace)
        start = datetime.combine(since, time.min, UTC) if since else None
        return self.reads.entries(workspace, start, limit)
