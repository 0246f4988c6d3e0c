"""One computation per key at a time: requests that ask the same question together wait for
the first one's answer instead of each computing it.

Memos (`services.versioned.VersionedMemo`) answer a question asked before; they do nothing for
a question asked by many requests at the same moment, which is exactly what happens after an
import or a compaction changes the data's version: every open dashboard asks for the new
Overview at once, and each request ran the same queries (measured: ten concurrent copies of
the demo's Overview queries per import, which starved the server of CPU until requests timed
out). With a flight per key, the first request computes and stores the answer, the others
wait on its lock and then read it from the memo.

A key's lock exists only while someone holds or waits for it, so the table stays as small as
the number of questions in progress.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class SingleFlight:
    """Per-key locks, created on demand and dropped when no thread needs them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, tuple[threading.Lock, list[int]]] = {}

    def run(self, key: Hashable, fn: Callable[[], T]) -> T:
        """``fn()`` while holding ``key``'s lock. ``fn`` should read the memo first, so that
        a thread that waited finds the answer the previous holder stored."""
        with self._lock:
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = (threading.Lock(), [0])
            flight[1][0] += 1
        try:
            with flight[0]:
                return fn()
        finally:
            with self._lock:
                flight[1][0] -= 1
                if not flight[1][0]:
                    del self._flights[key]

    def __len__(self) -> int:
        """Keys in progress (held or waited for)."""
        with self._lock:
            return len(self._flights)
