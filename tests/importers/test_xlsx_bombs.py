"""XLSX bombs under the inflate limit: workbooks of millions of repeated cells compress to
almost nothing. The format is recognised from the first rows, streamed; what is read is
bounded by an inflated-size budget and a cell budget; every refusal is one line, exit 2.

The workbooks are generated here (`write_xlsx`), a sheet streamed into the zip, so the files
stay small; the budgets are lowered where a realistic size would slow CI down, and one case
runs with the default limits.
"""

from __future__ import annotations

import tracemalloc
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from socialpulse.adapters.importers import Context, Limits, Source, detect
from socialpulse.bootstrap import local_actor, open_home
from socialpulse.domain.errors import InvalidInput
from socialpulse.interfaces.cli import main
from socialpulse.services.imports import ImportOptions
from socialpulse.settings import Settings

_PARTS = {
    "[Content_Types].xml":
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels":
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Posts" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
}


def _cells(values: Sequence[object]) -> str:
    return "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' if isinstance(v, str)
                   else f"<c><v>{v}</v></c>" for v in values)


def write_xlsx(path: Path, header: Sequence[str], row: Sequence[object], rows: int,
               tail: bytes = b"") -> Path:
    """A one-sheet workbook: ``header``, then ``row`` repeated ``rows`` times, streamed into
    the zip (no dimension element, as hostile files leave it out). Repetition deflates about
    100-fold, so a sheet of hundreds of MB is a file of a few MB. ``tail`` goes after the
    rows (malformed XML there shows whether a reader went that far)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in _PARTS.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                     b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            fh.write(f"<row>{_cells(header)}</row>".encode())
            block = f"<row>{_cells(row)}</row>".encode() * 1000
            for _ in range(rows // 1000):
                fh.write(block)
            fh.write(tail + b"</sheetData></worksheet>")
    return path


def inflated(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist())


#: The legacy Facebook Insights header the importer recognises (post id, posted, permalink).
FACEBOOK = ["Post ID", "Permalink", "Post Message", "Type", "Posted",
            "Lifetime Post Total Reach", "Lifetime Post Total Impressions"]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("SOCIALPULSE_HOME", str(home))
    app = open_home(Settings(home=home), create=True)
    app.workspaces.create(local_actor(), "acme", "Acme")
    app.store.dispose()
    return home


def _cli_fails(path: Path, capsys: pytest.CaptureFixture[str], message: str) -> None:
    rc = main(["import", str(path), "--account", "acme", "--quiet"])
    out, err = capsys.readouterr()
    assert rc == 2, (out, err)
    assert err.startswith(f"socialpulse: error: {path.name}: ") and message in err, err
    assert len(err.strip().splitlines()) == 1


def test_a_large_workbook_that_is_no_known_export_is_refused_from_its_head(tmp_path, home,
                                                                           capsys):
    """200,000 rows of 20 cells (about 50 MB of XML): the answer comes from the first rows,
    and reading them holds a few MB, not the sheet (memory bounded by the streaming reader;
    reading it all, as before, held well over 100 MB)."""
    bomb = write_xlsx(tmp_path / "report.xlsx", ["foo", "bar"], [7] * 20, 200_000)
    assert inflated(bomb) > 40 * 2**20
    src = Source(bomb, bomb.name, Limits())
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput, match="not a known export"):
            detect(src, Context())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MB"
    _cli_fails(bomb, capsys, "not a known export (XLSX workbook (sheets: Posts))")


def test_detection_never_reads_past_the_head(tmp_path, home):
    """Malformed XML after 20,000 rows: recognising the file stops long before it (a reader
    that parsed the whole sheet first, as openpyxl does for a sheet without a dimension
    element, would fail on it instead)."""
    book = write_xlsx(tmp_path / "report.xlsx", ["foo", "bar"], [7] * 10, 20_000,
                      tail=b"<row><c><v>1</v></c></wrong>")
    with pytest.raises(InvalidInput, match="not a known export"):
        detect(Source(book, book.name, Limits()), Context())
    # the whole sheet is read when the file is imported with a mapping: the tail is found
    with pytest.raises(InvalidInput, match="cannot read XLSX"):
        _ = Source(book, book.name, Limits()).sheets


def test_a_known_header_over_millions_of_cells_stops_at_the_cell_budget(tmp_path, home):
    bomb = write_xlsx(tmp_path / "Facebook Insights.xlsx", FACEBOOK,
                      ["1_2", "https://facebook.com/acme/posts/2", "hi", "Photo",
                       "2026-01-01 10:00", 5, 9], 20_000)
    app = open_home(Settings(home=home))
    ws = app.workspace("acme")
    options = ImportOptions(account="acme", limits=Limits(max_cells=50_000))
    with pytest.raises(InvalidInput) as err:
        app.imports.plan(ws, [(bomb, bomb.name)], options)
    first_over = 50_000 // len(FACEBOOK) + 1  # the row whose cells pass the budget
    assert err.value.message == (
        f"{bomb.name}: sheet 'Posts' passes 50,000 cells at row {first_over:,}, over the "
        "limit; split the export or save it as CSV")
    assert app.store.batches(ws.id, None) == [] and app.store.accounts(ws.id) == []
    app.store.dispose()


def test_an_archive_over_a_lowered_inflate_limit_is_refused_unread(tmp_path, home):
    bomb = write_xlsx(tmp_path / "Facebook Insights.xlsx", FACEBOOK, [1] * 7, 100_000)
    size = inflated(bomb)
    assert size > 8 * 2**20 and bomb.stat().st_size < 2**20
    src = Source(bomb, bomb.name, Limits(max_inflated_bytes=4 * 2**20))
    with pytest.raises(InvalidInput) as err:
        detect(src, Context())
    assert err.value.message == (
        f"{bomb.name}: XLSX inflates to {size / 2**20:,.0f} MB, over the limit of 4 MB (a zip "
        "bomb?); save the export as CSV")


def test_a_realistic_bomb_is_refused_with_the_default_limits(tmp_path, home, capsys):
    """A few MB that inflate past the default 256 MB (the attack used 3 MB -> 780 MB)."""
    bomb = write_xlsx(tmp_path / "Facebook Insights.xlsx", FACEBOOK, [1] * 7, 2_500_000)
    assert inflated(bomb) > Limits().max_inflated_bytes and bomb.stat().st_size < 8 * 2**20
    _cli_fails(bomb, capsys, "over the limit of 256 MB (a zip bomb?)")


def test_an_ordinary_workbook_still_imports(tmp_path, home, capsys):
    book = write_xlsx(tmp_path / "Facebook Insights.xlsx", FACEBOOK,
                      ["1_2", "https://facebook.com/acme/posts/2", "hi", "Photo",
                       "2026-01-01 10:00", 5, 9], 1000)
    rc = main(["import", str(book), "--account", "acme", "--quiet", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert '"posts": 1' in out  # one post id repeated: the last row wins
