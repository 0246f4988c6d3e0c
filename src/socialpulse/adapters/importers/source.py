"""A file handed to the importers: its display name, path, bytes and container kind."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

from socialpulse.domain.errors import InvalidInput

from .base import Limits, to_utf8
from .readers import csv_rows, json_values, kind_of, workbook, workbook_head


@dataclass
class Source:
    """One input file. ``name`` is what the user knows it by (an upload keeps its own name)."""

    path: Path
    name: str
    limits: Limits = field(default_factory=Limits)
    encoding: str | None = None

    @cached_property
    def data(self) -> bytes:
        from .base import read_bytes

        return read_bytes(self.path, self.name, self.limits)

    @cached_property
    def kind(self) -> str:
        return kind_of(self.data, self.name)

    @cached_property
    def utf8(self) -> bytes:
        return to_utf8(self.data, self.name, self.encoding)

    @cached_property
    def rows(self) -> list[list[str]]:
        """All CSV records (small files; the X tweet importer has a columnar fast path)."""
        return csv_rows(self.utf8, self.name, self.limits)

    @cached_property
    def header(self) -> list[str]:
        """The cells of the first CSV records, for detection."""
        return [c for r in self.head_rows[:5] for c in r]

    @cached_property
    def head_rows(self) -> list[list[str]]:
        """The first CSV records, for detection, without parsing the whole file."""
        raw = self.data[:65536]
        cut = raw.rfind(b"\n")
        if cut > 0 and len(self.data) > len(raw):
            raw = raw[:cut]  # whole lines only: no character cut in two
        head = to_utf8(raw, self.name, self.encoding)
        try:
            rows = csv_rows(head, self.name, self.limits) if head else []
        except InvalidInput:  # a quoted cell cut by the sniff window: the first lines suffice
            rows = [ln.split(",") for ln in head.decode("utf-8", "replace").splitlines()[:5]]
        return [[c.strip().strip('"').lstrip("\ufeff") for c in r] for r in rows[:5]]

    @property
    def arrow_input(self) -> bytes:
        """Bytes for pyarrow's CSV reader, which validates UTF-8 itself: UTF-8 files are passed
        as they are (saving a full decode); other encodings are transcoded first."""
        if self.encoding or self.data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return self.utf8
        return self.data[3:] if self.data.startswith(b"\xef\xbb\xbf") else self.data

    @cached_property
    def sheets(self) -> dict[str, list[list[Any]]]:
        return workbook(self.data, self.name, self.kind, self.limits)

    def probe(self) -> Source:
        """This file as format detectors see it: an XLSX's ``sheets`` are only its first rows,
        streamed, so a large workbook that is no known export is refused without reading it
        all. Other kinds are themselves."""
        if self.kind != "xlsx" or "sheets" in self.__dict__:
            return self
        view = Source(self.path, self.name, self.limits, self.encoding)
        own = {f.name for f in fields(self)}
        view.__dict__.update({k: v for k, v in self.__dict__.items() if k not in own})
        view.__dict__["sheets"] = workbook_head(self.data, self.name, self.kind, self.limits)
        return view

    @cached_property
    def json(self) -> list[Any]:
        return json_values(self.utf8, self.name, self.kind)

    @property
    def stem(self) -> str:
        return Path(self.name).stem
