"""Bad files get one clear error naming file, row and column, and nothing is written."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from socialpulse.adapters.importers import Limits
from socialpulse.domain.errors import InvalidInput
from socialpulse.services.imports import ImportOptions

from .conftest import SAMPLES, do_import

X = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"


def _fails(app, ws, path: Path, match: str, options: ImportOptions | None = None,
           extra: list[Path] = ()) -> str:
    files = [(p, p.name) for p in [*extra, path]]
    with pytest.raises(InvalidInput, match=match) as err:
        do_import(app, ws, files, options)
    msg = err.value.message
    assert "\n" not in msg and path.name in msg
    assert app.store.batches(ws.id, None) == []  # nothing written, not even a pending batch
    assert app.store.accounts(ws.id) == []
    return msg


def test_truncated_csv(home, ws, tmp_path):
    data = X.read_bytes()
    bad = tmp_path / X.name
    bad.write_bytes(data[: len(data) // 2])
    msg = _fails(home, ws, bad, "row")
    assert "columns" in msg or "line" in msg


def test_truncated_inside_a_quoted_cell(home, ws, tmp_path):
    data = X.read_bytes()
    cut = data.index(b"November News") + 5
    bad = tmp_path / X.name
    bad.write_bytes(data[:cut])
    _fails(home, ws, bad, "(line|row) \\d+")


def test_wrong_encoding(home, ws, tmp_path):
    text = X.read_text(encoding="utf-8").replace("Join our", "Únete a nuestra")
    bad = tmp_path / X.name
    bad.write_bytes(text.encode("cp1252", errors="replace"))
    msg = _fails(home, ws, bad, "not UTF-8 text")
    assert "line 2" in msg and "--encoding" in msg


def test_named_encoding_is_used(home, ws, tmp_path):
    text = X.read_text(encoding="utf-8")
    text = "".join(c if ord(c) < 256 else "?" for c in text).replace("Join our", "Únete a")
    bad = tmp_path / X.name
    bad.write_bytes(text.encode("latin-1"))
    res = do_import(home, ws, [(bad, bad.name)], ImportOptions(encoding="latin-1"))
    assert res.rows["posts"] == 33
    posts = home.lake.read(ws.id, "posts").to_pylist()
    assert any((p["text"] or "").startswith("Únete a") for p in posts)


def test_renamed_required_column(home, ws, tmp_path):
    bad = tmp_path / X.name
    bad.write_bytes(X.read_bytes().replace(b'"impressions"', b'"impresiones"', 1))
    _fails(home, ws, bad, "not a known export")
    msg = _fails(home, ws, bad, "required column 'impressions' is missing",
                 ImportOptions(fmt="x-tweets"))
    assert "impresiones" in msg


def test_bad_number_names_row_and_column(home, ws, tmp_path):
    text = X.read_text(encoding="utf-8").replace('"1777.0"', '"lots"', 1)
    bad = tmp_path / X.name
    bad.write_text(text, encoding="utf-8")
    msg = _fails(home, ws, bad, "row 2, column 'impressions'")
    assert "'lots'" in msg


def test_wrong_format_forced(home, ws):
    yt = SAMPLES / "youtube" / "priyankapatel05_Totals.csv"
    _fails(home, ws, yt, "no header row with 'Tweet id'", ImportOptions(fmt="x-tweets"))


def test_one_bad_file_stops_the_whole_import(home, ws, tmp_path):
    bad = tmp_path / "garbage.csv"
    bad.write_text("hello,world\n1,2\n", encoding="utf-8")
    _fails(home, ws, bad, "not a known export", extra=[X])


def test_garbage_50mb(home, ws, tmp_path):
    bad = tmp_path / "export.csv"
    with open(bad, "wb") as fh:
        fh.write(b'"Tweet id","time","impressions","engagements"\n')
        fh.write(os.urandom(50 * 2**20))
    _fails(home, ws, bad, "not UTF-8|binary data")


def test_file_over_the_size_limit(home, ws, tmp_path):
    bad = tmp_path / X.name
    bad.write_bytes(X.read_bytes())
    _fails(home, ws, bad, "over the limit",
           ImportOptions(limits=Limits(max_file_bytes=1000)))


def test_huge_cell(home, ws, tmp_path):
    text = X.read_text(encoding="utf-8").replace("Join our", "x" * 300_000 + " Join our", 1)
    bad = tmp_path / X.name
    bad.write_text(text, encoding="utf-8")
    _fails(home, ws, bad, "over the limit of 200,000",
           ImportOptions(limits=Limits(max_cell_bytes=200_000)))


def test_empty_file(home, ws, tmp_path):
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    _fails(home, ws, bad, "empty")


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="Key Metrics"><Table><Row><Cell><Data ss:Type="String">&lol3;</Data></Cell>
</Row></Table></Worksheet></Workbook>
"""


def test_xml_entity_expansion_is_refused(home, ws, tmp_path):
    bad = tmp_path / "Facebook Posts.xls"
    bad.write_text(BOMB, encoding="utf-8")
    _fails(home, ws, bad, "unsafe XML", ImportOptions(fmt="facebook-posts"))
    _fails(home, ws, bad, "unsafe XML")


def test_xml_external_entity_is_refused(home, ws, tmp_path):
    bad = tmp_path / "Facebook Posts.xls"
    bad.write_text(BOMB.replace('<!ENTITY lol "lol">', '<!ENTITY lol SYSTEM "file:///etc/passwd">'),
                   encoding="utf-8")
    _fails(home, ws, bad, "unsafe XML")


def test_truncated_spreadsheetml(home, ws, tmp_path):
    data = (SAMPLES / "facebook" / "NPLF_Facebook_Posts_Q2_spreadsheetml.xls").read_bytes()
    bad = tmp_path / "NPLF_Facebook_Posts_Q2_spreadsheetml.xls"
    bad.write_bytes(data[: len(data) // 3])
    _fails(home, ws, bad, "malformed XML at line \\d+")


def test_xlsx_zip_bomb_is_refused(home, ws, tmp_path):
    bad = tmp_path / "bomb.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 2**20))
    bad.write_bytes(buf.getvalue())
    _fails(home, ws, bad, "zip bomb", ImportOptions(limits=Limits(max_file_bytes=2**20)))


def test_truncated_xls(home, ws, tmp_path):
    data = (SAMPLES / "linkedin" / "NPLF_LinkedIn_Q1.xls").read_bytes()
    bad = tmp_path / "NPLF_LinkedIn_Q1.xls"
    bad.write_bytes(data[:5000])
    _fails(home, ws, bad, "cannot read XLS: the file is damaged or cut short")


def test_invalid_json(home, ws, tmp_path):
    bad = tmp_path / "statuses.json"
    bad.write_text('[{"id": "1", "account": {"acct": "a"}, ', encoding="utf-8")
    _fails(home, ws, bad, "invalid JSON at line 1")


def test_mastodon_bad_count_names_the_field(home, ws, tmp_path):
    text = (SAMPLES / "mastodon" / "status_example_from_docs.json").read_text()
    bad = tmp_path / "status.json"
    bad.write_text(text.replace('"favourites_count": 11', '"favourites_count": "many"'))
    _fails(home, ws, bad, "status 1.favourites_count")


def test_tiktok_bad_day(home, ws, tmp_path):
    src = SAMPLES / "tiktok" / "htupycollabs_Overview.csv"
    bad = tmp_path / src.name
    bad.write_bytes(src.read_bytes().replace(b'"March 3"', b'"Smarch 3"'))
    _fails(home, ws, bad, "row 5, column 'Date'")


def test_xlsx_entity_expansion_is_refused(home, ws, tmp_path):
    """openpyxl parses through defusedxml (installed with socialpulse): no entity expansion."""
    import openpyxl

    good = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Date", "Sponsored followers", "Organic followers", "Total followers"])
    wb.save(good)
    bad = tmp_path / "followers.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                at = data.index(b"<worksheet")
                data = (data[:at] + b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + data[at:])
            dst.writestr(item, data)
    _fails(home, ws, bad, "cannot read XLSX: refused unsafe XML \\(EntitiesForbidden")
