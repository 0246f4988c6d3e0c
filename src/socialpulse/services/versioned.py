"""Cached answers that are never stale: every cache of computed results is keyed by the data's
version stamp, read from the app database on each request.

Another process (a `socialpulse import`, a rebuilt demo, a compaction, an account correction
from the CLI) changes the database and the lake but not this process' memory, so a stamp held
in memory would serve old numbers until a restart. The stamp below is read per request and
changes whenever anything a computation reads changes:

- the committed batches of the lake (id, content hash and commit time: a rebuilt demo reuses
  batch ids, and a re-import of other data reuses none of the hashes);
- the workspace's accounts as computations see them (network, brand, own or competitor) and
  its time zone (pages and the API read the workspace per request).

Reading it costs two small indexed queries, far less than one engine query.

`MetricsService` keeps engine answers under `lake_version` (the batches alone) plus the
accounts exactly as it passes them to the engine, so every computation that goes through it
(pages, API, CLI, reports, goals) reuses an answer to the same question of the same data.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from socialpulse.domain.models import Workspace
from socialpulse.services.ports import WorkspaceRepository

T = TypeVar("T")

DataVersion = tuple[Hashable, ...]


def lake_version(store: WorkspaceRepository, workspace_id: int) -> DataVersion:
    """The version stamp of a workspace's lake alone: its committed batches (id, content hash,
    commit time), read now. Engine queries read only the files of these batches."""
    return tuple(
        (b.id, b.content_hash, b.committed_at.isoformat() if b.committed_at else "")
        for b in store.batches(workspace_id, "committed")
    )


def data_version(store: WorkspaceRepository, workspace: Workspace) -> DataVersion:
    """The version stamp of a workspace's data, read now (see the module docstring)."""
    batches = lake_version(store, workspace.id)
    accounts = tuple((a.id, a.network.value, a.brand_id, a.brand_name, a.is_own)
                     for a in store.accounts(workspace.id))
    return (workspace.id, workspace.timezone, batches, accounts)


class VersionedMemo:
    """A bounded, thread-safe memo of results whose keys include a `data_version` stamp.

    ``copies``: hand out deep copies, for results callers decorate in place.
    """

    def __init__(self, size: int, copies: bool = False) -> None:
        self.size = size
        self.copies = copies
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """The result for ``key``, built once (two threads may both build; one result stays)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                hit = self._items[key]
                return copy.deepcopy(hit) if self.copies else hit  # type: ignore[no-any-return]
        value = build()
        with self._lock:
            self._items[key] = copy.deepcopy(value) if self.copies else value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value
