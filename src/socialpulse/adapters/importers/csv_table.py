"""Opening a CSV export that is one table whose header row says which table it is.

TikTok Studio and YouTube Studio export a folder of such CSVs (Content, Overview, ...; Table
data, Chart data, Totals). Each file is told apart by its header alone, so every file of such
a folder is opened the same way before its own mapping: refuse an empty file or an unknown
header with one line, then read the rows under the header.
"""

from __future__ import annotations

from collections.abc import Callable

from socialpulse.domain.models import Network

from .base import Context, Parsed, Sheet, fail
from .readers import make_sheet
from .source import Source


def open_csv_table(src: Source, ctx: Context, kind_of: Callable[[list[str]], str | None],
                   product: str, fmt: str, network: Network) -> tuple[str, Sheet, Parsed]:
    """The file's kind (``kind_of`` its header row), its rows as a sheet, and the result to
    fill, whose format id is ``fmt-kind``. ``product`` names the exporter in the error for a
    header ``kind_of`` does not know."""
    rows = src.rows
    if not rows:
        raise fail(src.name, "file is empty")
    kind = kind_of(rows[0])
    if kind is None:
        raise fail(src.name, f"not a {product} export (unknown header)")
    sheet = make_sheet(src.name, rows, 0, ctx.limits)
    out = Parsed(src.name, f"{fmt}-{kind}", network)
    out.rows_read = len(sheet.rows)
    return kind, sheet, out
