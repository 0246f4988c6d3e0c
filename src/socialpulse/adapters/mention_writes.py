"""Mention rows into the lake: columns become an Arrow table of the ``mentions`` schema and
one atomic, content-hashed batch (`Lake.ingest`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from socialpulse.adapters.lake import SCHEMAS, Lake


class LakeMentionWriter:
    """The `MentionWriter` port on the lake."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake

    def write(self, workspace_id: int, source: str, fmt: str,
              columns: Mapping[str, Sequence[Any]]) -> bool:
        """Write one batch; True when the same content was imported before (nothing added)."""
        schema = SCHEMAS["mentions"]
        table = pa.table({k: pa.array(list(v), type=schema.field(k).type)
                          for k, v in columns.items()})
        return self.lake.ingest(workspace_id, source, fmt, {"mentions": table}).already_imported
