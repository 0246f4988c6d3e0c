"""File sources: generic JSONL and CSV, Mastodon Status JSON, Bluesky post views.

Every error names the file, the line (or row) and the field. Records without text are refused
(a mention is text); a missing id is derived from network, author, time and text, so the same
record read twice gets the same id and re-ingesting adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from socialpulse.adapters.importers.base import count_problem
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.listening.query import NETWORKS
from socialpulse.domain.periods import implausible_data_date
from socialpulse.domain.platforms import PLATFORMS, Network

from .base import MAX_LINE_BYTES, check_file

MAX_TEXT_CHARS = 20_000
_ID_ALIASES = ("mention_id", "id", "post_id", "status_id", "uri")
_TEXT_ALIASES = ("text", "content", "message", "body", "full_text")
_TIME_ALIASES = ("published_at", "created_at", "date", "timestamp", "time")
_AUTHOR_ALIASES = ("author", "username", "user", "handle", "screen_name", "acct")
_FOLLOWER_ALIASES = ("author_followers", "followers", "followers_count", "reach")


def parse_time(value: Any, where: str, field: str, today: date) -> datetime:
    """An ISO 8601 time (or Unix seconds); naive times are taken as UTC. A time outside the
    plausible range (the importers' rule, :func:`implausible_data_date`) is refused."""
    dt = _parse_time(value, where, field)
    why = implausible_data_date(dt.date(), today)
    if why is not None:
        raise InvalidInput(f"{where}: {field}: date out of range: {why}")
    return dt


def _parse_time(value: Any, where: str, field: str) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidInput(f"{where}: {field}: {value!r} is not a time") from None
    s = str(value or "").strip()
    if not s:
        raise InvalidInput(f"{where}: {field}: missing")
    if s.endswith("Z") or s.endswith("z"):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise InvalidInput(
            f"{where}: {field}: {value!r} is not an ISO 8601 time (e.g. 2026-03-01T10:00:00Z)"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 leaves the calendar in UTC
        raise InvalidInput(f"{where}: {field}: {value!r} is not a time") from None


def _int_or_none(value: Any, where: str, field: str) -> int | None:
    if value is None or value == "" or value == "-":
        return None
    try:
        f = float(str(value).replace(",", "").strip())
    except ValueError:
        raise InvalidInput(f"{where}: {field}: {value!r} is not a number") from None
    if f != f:
        raise InvalidInput(f"{where}: {field}: {value!r} is not a number")
    if (why := count_problem(f)) is not None:
        raise InvalidInput(f"{where}: {field}: {why}: {str(value)[:40]!r}")
    return int(f)


def _today() -> date:
    """The day a source is read, when its caller names none: the end of the plausible range."""
    return datetime.now(UTC).date()


def _derived_id(network: str, author: str, published: datetime, text: str) -> str:
    h = hashlib.sha256(f"{network}\x1f{author}\x1f{published.isoformat()}\x1f{text}".encode())
    return "h:" + h.hexdigest()[:24]


def _pick(rec: dict[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    for n in names:
        if n in rec and rec[n] not in (None, ""):
            return n, rec[n]
    return None, None


def _check_network(value: str, where: str) -> str:
    v = value.strip().lower()
    if v == "twitter":
        v = "x"
    if v not in NETWORKS:
        raise InvalidInput(f"{where}: network: unknown network {value!r}; use one of "
                           f"{', '.join(NETWORKS)}")
    return v


def record_to_mention(rec: dict[str, Any], where: str, default_network: str | None,
                      today: date) -> RawMention:
    """A generic record (JSONL object or CSV row) to a raw mention."""
    rec = {str(k).strip().lower().lstrip("\ufeff"): v for k, v in rec.items() if k is not None}
    tf, text = _pick(rec, _TEXT_ALIASES)
    if text is None or not str(text).strip():
        raise InvalidInput(f"{where}: text: missing (expected one of {', '.join(_TEXT_ALIASES)})")
    text = str(text)
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"{where}: {tf}: longer than {MAX_TEXT_CHARS} characters")
    time_field, when = _pick(rec, _TIME_ALIASES)
    if time_field is None:
        raise InvalidInput(f"{where}: published_at: missing (expected one of "
                           f"{', '.join(_TIME_ALIASES)})")
    published = parse_time(when, where, time_field, today)
    nf, net = _pick(rec, ("network", "platform", "source"))
    if net is None:
        if default_network is None:
            raise InvalidInput(f"{where}: network: missing (add a network column or pass "
                               "--network)")
        network = default_network
    else:
        network = _check_network(str(net), where)
    _, author = _pick(rec, _AUTHOR_ALIASES)
    author_s = str(author or "").strip()
    ff, followers = _pick(rec, _FOLLOWER_ALIASES)
    n_followers = _int_or_none(followers, where, ff or "author_followers")
    _, mid = _pick(rec, _ID_ALIASES)
    mention_id = str(mid).strip() if mid is not None else _derived_id(network, author_s,
                                                                        published, text)
    _, lang = _pick(rec, ("lang", "language"))
    _, url = _pick(rec, ("url", "link", "permalink"))
    return RawMention(mention_id, network, published, text, author_s, n_followers,
                      str(lang or "").strip().lower()[:8], str(url or ""), where)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, "rb") as fh:
        for no, raw in enumerate(fh, start=1):
            if len(raw) > MAX_LINE_BYTES:
                raise InvalidInput(f"{path}:{no}: line longer than {MAX_LINE_BYTES} bytes")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidInput(f"{path}:{no}: not UTF-8 (byte {exc.start + 1})") from None
            if no == 1:
                line = line.lstrip("\ufeff")
            if line.strip():
                yield no, line


def _json_line(path: Path, no: int, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{no}: invalid JSON at column {exc.colno} ({exc.msg})") from None
    except (ValueError, RecursionError):  # nested thousands deep, or a 5,000-digit number
        raise InvalidInput(f"{path}:{no}: invalid JSON (nested too deeply or a number too "
                           "long)") from None


class JsonlSource:
    """One JSON object per line: text, published_at, and optionally id, author,
    author_followers, network, lang, url (common aliases accepted)."""

    #: a file can be read twice: `ListeningService.ingest` reads it through first
    replayable = True

    def __init__(self, path: Path, network: str | None = None, today: date | None = None
                 ) -> None:
        check_file(path)
        self.path = path
        self.name = f"jsonl:{path.name}"
        self.network = _check_network(network, "--network") if network else None
        self.today = today or _today()

    def __iter__(self) -> Iterator[RawMention]:
        for no, line in _lines(self.path):
            obj = _json_line(self.path, no, line)
            if not isinstance(obj, dict):
                raise InvalidInput(f"{self.path}:{no}: expected a JSON object per line")
            yield record_to_mention(obj, f"{self.path}:{no}", self.network, self.today)


class CsvSource:
    """A CSV with a header row (comma, semicolon or tab), same columns as JSONL."""

    #: a file can be read twice: `ListeningService.ingest` reads it through first
    replayable = True

    def __init__(self, path: Path, network: str | None = None, today: date | None = None
                 ) -> None:
        check_file(path)
        self.path = path
        self.name = f"csv:{path.name}"
        self.network = _check_network(network, "--network") if network else None
        self.today = today or _today()

    def __iter__(self) -> Iterator[RawMention]:
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{self.path}: not UTF-8 (byte {exc.start + 1})") from None
        sample = text[:8192]
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        if not reader.fieldnames:
            raise InvalidInput(f"{self.path}: the file is empty (expected a header row)")
        try:
            for row in reader:
                where = f"{self.path}:{reader.line_num}"
                if None in row:
                    raise InvalidInput(f"{where}: more values than header columns")
                if not any((v or "").strip() for v in row.values()):
                    continue
                yield record_to_mention(dict(row), where, self.network, self.today)
        except csv.Error as exc:
            raise InvalidInput(f"{self.path}:{reader.line_num}: {exc}") from None


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p") and self.parts:
            self.parts.append("\n" if tag == "br" else "\n\n")
        if tag == "span" and ("class", "invisible") in attrs:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(value: str) -> str:
    """Mastodon's HTML content as plain text (paragraphs kept, link text kept)."""
    p = _Text()
    p.feed(value)
    p.close()
    return html.unescape("".join(p.parts)).strip()


def _json_records(path: Path) -> Iterator[tuple[str, Any]]:
    """A JSON document (object or array) or JSON lines, with where each record came from."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 (byte {exc.start + 1})") from None
    stripped = text.lstrip()
    try:
        doc = json.loads(stripped)
    except (ValueError, RecursionError):  # not one document: read as JSON Lines below
        doc = None
    if doc is not None:
        if isinstance(doc, list):
            for i, item in enumerate(doc):
                yield f"{path}: item {i + 1}", item
        else:
            yield f"{path}", doc
        return
    for no, line in _lines(path):
        yield f"{path}:{no}", _json_line(path, no, line)


class MastodonSource:
    """Mastodon REST ``Status`` entities: one object, an array (a timeline or search page) or
    JSON lines (e.g. saved from the streaming API). A reblog is read as the status it boosts."""

    #: a file can be read twice: `ListeningService.ingest` reads it through first
    replayable = True

    def __init__(self, path: Path, today: date | None = None) -> None:
        check_file(path)
        self.path = path
        self.name = f"mastodon:{path.name}"
        self.today = today or _today()

    def __iter__(self) -> Iterator[RawMention]:
        for where, obj in _json_records(self.path):
            if isinstance(obj, dict) and isinstance(obj.get("statuses"), list):  # search results
                for i, st in enumerate(obj["statuses"]):
                    yield status_to_mention(st, f"{where} statuses[{i}]", self.today)
            else:
                yield status_to_mention(obj, where, self.today)


def status_to_mention(obj: Any, where: str, today: date) -> RawMention:
    if not isinstance(obj, dict):
        raise InvalidInput(f"{where}: expected a Mastodon Status object")
    if isinstance(obj.get("reblog"), dict):
        obj = obj["reblog"]
    for f in ("id", "created_at", "content", "account"):
        if f not in obj:
            raise InvalidInput(f"{where}: {f}: missing (not a Mastodon Status?)")
    account = obj["account"]
    if not isinstance(account, dict):
        raise InvalidInput(f"{where}: account: expected an object")
    content = obj.get("content") or ""
    if not isinstance(content, str):
        raise InvalidInput(f"{where}: content: expected a string")
    text = html_to_text(content)
    if obj.get("spoiler_text"):
        text = f"{obj['spoiler_text']}\n\n{text}"
    if not text:
        raise InvalidInput(f"{where}: content: empty")
    uri = str(obj.get("uri") or "")
    # the URI is global across instances; the id is only unique on the instance that served it
    mention_id = "mastodon:" + (uri or str(obj["id"]))
    return RawMention(
        mention_id=mention_id,
        network="mastodon",
        published_at=parse_time(obj["created_at"], where, "created_at", today),
        text=text[:MAX_TEXT_CHARS],
        author="@" + str(account.get("acct") or account.get("username") or "").lstrip("@"),
        author_followers=_int_or_none(account.get("followers_count"), where,
                                      "account.followers_count"),
        lang=str(obj.get("language") or "").lower()[:8],
        url=str(obj.get("url") or uri),
        where=where,
    )


_BSKY_URI = re.compile(r"^at://([^/]+)/app\.bsky\.feed\.post/([^/]+)$")


class BlueskySource:
    """Bluesky ``app.bsky.feed.defs#postView`` objects: a getAuthorFeed / getTimeline page
    (``{"feed": [{"post": ...}]}``), a searchPosts page (``{"posts": [...]}``), a thread
    (``{"thread": ...}``), an array or JSON lines of post views. Reposts are skipped (the
    original post is the mention)."""

    #: a file can be read twice: `ListeningService.ingest` reads it through first
    replayable = True

    def __init__(self, path: Path, today: date | None = None) -> None:
        check_file(path)
        self.path = path
        self.name = f"bluesky:{path.name}"
        self.today = today or _today()

    def __iter__(self) -> Iterator[RawMention]:
        for where, obj in _json_records(self.path):
            yield from _bsky_records(obj, where, self.today)


def _bsky_records(obj: Any, where: str, today: date) -> Iterator[RawMention]:
    if isinstance(obj, dict) and isinstance(obj.get("feed"), list):
        for i, item in enumerate(obj["feed"]):
            w = f"{where} feed[{i}]"
            if not isinstance(item, dict) or "post" not in item:
                raise InvalidInput(f"{w}: post: missing (not a feedViewPost?)")
            yield post_view_to_mention(item["post"], w + ".post", today)
    elif isinstance(obj, dict) and isinstance(obj.get("posts"), list):
        for i, item in enumerate(obj["posts"]):
            yield post_view_to_mention(item, f"{where} posts[{i}]", today)
    elif isinstance(obj, dict) and isinstance(obj.get("thread"), dict):
        yield from _bsky_thread(obj["thread"], f"{where} thread", today)
    elif isinstance(obj, dict) and "post" in obj and "uri" not in obj:
        yield post_view_to_mention(obj["post"], where + ".post", today)
    else:
        yield post_view_to_mention(obj, where, today)


def _bsky_thread(node: dict[str, Any], where: str, today: date) -> Iterator[RawMention]:
    if isinstance(node.get("post"), dict):
        yield post_view_to_mention(node["post"], where + ".post", today)
    parent = node.get("parent")
    if isinstance(parent, dict):
        yield from _bsky_thread(parent, where + ".parent", today)
    for i, reply in enumerate(node.get("replies") or []):
        if isinstance(reply, dict):
            yield from _bsky_thread(reply, f"{where}.replies[{i}]", today)


def post_view_to_mention(obj: Any, where: str, today: date) -> RawMention:
    if not isinstance(obj, dict):
        raise InvalidInput(f"{where}: expected a Bluesky postView object")
    for f in ("uri", "author", "record"):
        if f not in obj:
            raise InvalidInput(f"{where}: {f}: missing (not a Bluesky postView?)")
    record, author = obj["record"], obj["author"]
    if not isinstance(record, dict) or not isinstance(author, dict):
        raise InvalidInput(f"{where}: record/author: expected objects")
    text = record.get("text")
    if not isinstance(text, str):
        raise InvalidInput(f"{where}: record.text: missing")
    created = record.get("createdAt") or obj.get("indexedAt")
    langs = record.get("langs") or []
    handle = str(author.get("handle") or author.get("did") or "")
    uri = str(obj["uri"])
    m = _BSKY_URI.match(uri)
    url = PLATFORMS[Network.BLUESKY].post_link(handle, m.group(2)) if m and handle else ""
    return RawMention(
        mention_id="bluesky:" + uri,
        network="bluesky",
        published_at=parse_time(created, where, "record.createdAt", today),
        text=text[:MAX_TEXT_CHARS],
        author="@" + handle,
        author_followers=_int_or_none(author.get("followersCount"), where,
                                      "author.followersCount"),
        lang=str(langs[0]).lower()[:8] if isinstance(langs, list) and langs else "",
        url=url,
        where=where,
    )
