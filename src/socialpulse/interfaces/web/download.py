"""A CSV answer offered as a download: one helper for every endpoint with ``format=csv``.

Cells go through `services.export.to_csv`, which neutralises those a spreadsheet would run as a
formula; the file name is given by the endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

from socialpulse.services.export import to_csv


def csv_download(columns: Sequence[str], records: Sequence[dict[str, Any]],
                 filename: str) -> Response:
    """``text/csv`` with ``Content-Disposition: attachment`` so browsers save it as ``filename``."""
    return Response(to_csv(list(columns), list(records)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
