"""Writing the test files these tests build in an export's shape."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path


def write_csv(path: Path, *rows: Sequence[object] | Iterable[Sequence[object]]) -> Path:
    """A UTF-8 CSV of ``rows``; an argument that is a list of rows is written row by row (so
    a header, a description row and the data rows can be passed as they are built)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        for r in rows:
            if r and isinstance(r, list) and isinstance(r[0], list | tuple):
                w.writerows(r)
            else:
                w.writerow(r)
    return path
