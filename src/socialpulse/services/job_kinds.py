"""Every built-in kind of background job, registered by importing the modules that define
them: a worker (or the server's runner) knows all kinds by calling `job_kinds()`.

A new kind is a `register_kind(JobKind(...))` in its own service module plus one import here.
"""

from __future__ import annotations

from collections.abc import Mapping

# registration: importing a module registers its kinds
import socialpulse.services.alert_rules
import socialpulse.services.import_jobs
import socialpulse.services.listening_live
import socialpulse.services.publishing_outbox
import socialpulse.services.report_schedules
import socialpulse.services.sync  # noqa: F401
from socialpulse.services.jobs import KINDS, JobKind


def job_kinds() -> Mapping[str, JobKind]:
    """The registry, with the built-in kinds in it (and any a test or plugin registered)."""
    return KINDS
