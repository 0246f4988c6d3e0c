"""A corpus of hostile import files, generated from the real sample exports (never committed as
binaries): truncated files, wrong encodings, BOMs, NUL bytes, huge lines, formula and HTML
cells, deep JSON, a zip bomb, XML entities, wrong extensions, empty and header-only files,
repeated headers, impossible dates and counts.

Each case says what a careful importer must do with it: *refuse* it with one line naming the
file (exit 2 / 400, nothing written), or *accept* it (the content is data like any other:
formula and HTML cells are stored as text and neutralised or escaped where they are shown).
`build_corpus(folder)` writes every case's file into ``folder``; test_corpus.py runs each
through ``socialpulse import`` and the upload API.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.importers.test_hostile_values import (  # the samples of the hostile-value tests
    FACEBOOK,
    MASTODON,
    SAMPLES,
    TIKTOK,
    X,
)

LINKEDIN = SAMPLES / "linkedin" / "NPLF_LinkedIn_Q1.xls"

#: A cell a spreadsheet would run as a formula, and markup a page would run as script.
FORMULA = '=HYPERLINK("http://attacker.example/","click")'
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@dataclass(frozen=True)
class Case:
    """One hostile file: its name in the corpus, how to make it, and what must happen."""

    id: str
    build: Callable[[Path], Path]
    expect: str  # "refuse" or "accept"
    #: for an accepted file: text that must be stored verbatim (as data, not run)
    stored_text: str = ""


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def _csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _x_with(change: Callable[[list[list[str]]], None], name: str = X.name,
            encoding: str = "utf-8") -> Callable[[Path], Path]:
    """The real X export with ``change`` applied to its rows, written in ``encoding``."""

    def build(folder: Path) -> Path:
        rows = _rows(X)
        change(rows)
        return _write(folder, name, _csv_text(rows).encode(encoding))

    return build


def _cell(row: int, column: str, value: str) -> Callable[[list[list[str]]], None]:
    def change(rows: list[list[str]]) -> None:
        rows[row][rows[0].index(column)] = value

    return change


def _bytes_of(sample: Path, edit: Callable[[bytes], bytes],
              name: str | None = None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        return _write(folder, name or sample.name, edit(sample.read_bytes()))

    return build


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _latin1_x(folder: Path) -> Path:
    """The X export re-encoded as Latin-1 (its emoji become '?', accents stay)."""
    rows = _rows(X)
    rows[1][rows[0].index("Tweet text")] = "Café, señal, Müller"
    return _write(folder, X.name, _csv_text(rows).encode("latin-1", errors="replace"))


def _nul_bytes(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[2] = lines[2][:40] + b"\x00\x00\x00" + lines[2][40:]
    return b"\n".join(lines)


def _huge_line(data: bytes) -> bytes:
    """A row whose text cell is 40 MB on one line (no newline in it)."""
    lines = data.split(b"\n")
    lines[1] = lines[1].replace(b"Join our Community Call", b"A" * (40 * 1024 * 1024), 1)
    return b"\n".join(lines)


def _deep_json(folder: Path) -> Path:
    status = json.loads(MASTODON.read_text(encoding="utf-8"))
    text = json.dumps(status)
    deep = "[" * 200_000 + "]" * 200_000
    return _write(folder, MASTODON.name, text.replace('"muted": false',
                                                      f'"muted": {deep}', 1).encode())


def _xml_entities(data: bytes) -> bytes:
    """The Facebook SpreadsheetML export with a billion-laughs DOCTYPE whose entity is used in a
    cell: expanding it would take gigabytes."""
    doctype = (b'<!DOCTYPE Workbook [<!ENTITY a "aaaaaaaaaa">'
               + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
                          for i in range(9))
               + b"]>\n")
    head, sep, rest = data.partition(b"?>")
    rest = rest.replace(b">2020-09-22T07:07:36.000<", b">&j;<", 1)
    return head + sep + b"\n" + doctype + rest


def _zip_bomb(folder: Path) -> Path:
    """An XLSX made from the X export whose sheet inflates to 300 MB (about 300 kB on disk)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in _rows(X)[:5]:
        ws.append(row)
    plain = io.BytesIO()
    wb.save(plain)
    path = folder / "tweet_activity_metrics_rOpenSci_bomb.xlsx"
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, data)
                continue
            head, sep, tail = data.partition(b"</sheetData>")
            with dst.open(item.filename, "w", force_zip64=True) as out:
                out.write(head)
                blank = b" " * (1024 * 1024)
                for _ in range(300):
                    out.write(blank)
                out.write(sep + tail)
    return path


def _header_only(rows: list[list[str]]) -> None:
    del rows[1:]


def _repeat_header(rows: list[list[str]]) -> None:
    i = rows[0].index("likes")
    rows[0][i + 1] = "likes"


CASES: list[Case] = [
    Case("truncated-csv", _bytes_of(X, _truncated), "refuse"),
    Case("truncated-xls", _bytes_of(LINKEDIN, _truncated), "refuse"),
    Case("truncated-spreadsheetml", _bytes_of(FACEBOOK, _truncated), "refuse"),
    Case("truncated-json", _bytes_of(MASTODON, _truncated), "refuse"),
    Case("utf16", _x_with(lambda rows: None, encoding="utf-16"), "accept",
         stored_text="Join our Community Call next week."),
    Case("latin1", _latin1_x, "refuse"),  # one line asking for --encoding
    Case("utf8-bom", _x_with(lambda rows: None, encoding="utf-8-sig"), "accept",
         stored_text="Join our Community Call next week."),
    Case("nul-bytes", _bytes_of(X, _nul_bytes), "refuse"),
    Case("huge-line", _bytes_of(X, _huge_line), "refuse"),
    Case("formula-cells", _x_with(_cell(1, "Tweet text", FORMULA)), "accept",
         stored_text=FORMULA),
    Case("html-in-text", _x_with(_cell(1, "Tweet text", MARKUP)), "accept", stored_text=MARKUP),
    Case("deep-json", _deep_json, "refuse"),
    Case("zip-bomb", _zip_bomb, "refuse"),
    Case("xml-entities", _bytes_of(FACEBOOK, _xml_entities), "refuse"),
    Case("csv-named-xlsx", _bytes_of(X, lambda d: d, name=X.stem + ".xlsx"), "accept",
         stored_text="Join our Community Call next week."),
    Case("json-named-csv", _bytes_of(MASTODON, lambda d: d, name="statuses.csv"), "accept",
         stored_text="I lost my inheritance"),
    Case("empty", lambda folder: _write(folder, X.name, b""), "refuse"),
    Case("header-only", _x_with(_header_only), "refuse"),
    Case("tiktok-header-only", _bytes_of(TIKTOK, lambda d: d.split(b"\n")[0] + b"\n"),
         "refuse"),
    Case("repeated-header", _x_with(_repeat_header), "refuse"),
    Case("year-9999", _x_with(_cell(3, "time", "9999-12-31 10:00 +0000")), "refuse"),
    Case("february-30", _x_with(_cell(3, "time", "2021-02-30 10:00 +0000")), "refuse"),
    Case("count-1e30", _x_with(_cell(3, "impressions", "1" + "0" * 30)), "refuse"),
    Case("fractional-count", _x_with(_cell(3, "likes", "2.5")), "refuse"),
]


def build_corpus(folder: Path, cases: list[Case] = CASES) -> dict[str, Path]:
    """Write each case's file into its own subfolder of ``folder``: case id -> file."""
    out = {}
    for case in cases:
        sub = folder / case.id
        sub.mkdir(parents=True, exist_ok=True)
        out[case.id] = case.build(sub)
    return out
