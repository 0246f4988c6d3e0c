"""Mastodon Status entities and Bluesky feed/post views (JSON or JSON Lines).

Counts in these API responses are the state at the time they were fetched, and the files do
not say when that was, so their snapshots are observed at import time unless the user names
the time (``--observed-at``). Boosts/reposts are the original author's post: they are skipped
(the counts belong to the original), as are posts by other authors in an author feed.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import pyarrow as pa

from socialpulse.domain.platforms import PLATFORMS, Network

from .base import TS, Context, Parsed, count_problem, fail, read_time
from .source import Source

_TAGS = re.compile(r"<[^>]+>")


def _objects(src: Source) -> list[Any]:
    """Top-level values flattened: an array of statuses, JSONL, or one object."""
    out: list[Any] = []
    for v in src.json:
        if isinstance(v, list):
            out.extend(v)
        else:
            out.append(v)
    return out


def _first_obj(src: Source) -> dict[str, Any] | None:
    if src.kind not in ("json", "jsonl"):
        return None
    for v in _objects(src)[:1]:
        return v if isinstance(v, dict) else None
    return None


def is_mastodon(src: Source) -> bool:
    o = _first_obj(src)
    return o is not None and "favourites_count" in o and "account" in o and "created_at" in o


def is_bluesky(src: Source) -> bool:
    o = _first_obj(src)
    if o is None:
        return False
    if isinstance(o.get("feed"), list) or isinstance(o.get("posts"), list):
        return True
    if isinstance(o.get("post"), dict):
        return True
    return "uri" in o and "record" in o and "author" in o


def _text(content: str | None) -> str | None:
    if not content:
        return None
    s = re.sub(r"</p>\s*<p>|<br\s*/?>", "\n", content)
    return html.unescape(_TAGS.sub("", s)).strip() or None


def _count(o: dict[str, Any], key: str, where: str, name: str) -> int | None:
    v = o.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise fail(name, f"{key} must be a whole number, found {str(v)[:40]!r}",
                   column=f"{where}.{key}")
    if (why := count_problem(v)) is not None:
        raise fail(name, f"{why}: {str(v)[:40]!r}", column=f"{where}.{key}")
    return v


def _when(v: Any, name: str, where: str, ctx: Context) -> datetime:
    dt, _ = read_time(v, ctx.today, name, None, where, "an ISO time")
    if dt.tzinfo is None:
        raise fail(name, "time without a UTC offset", column=where)
    return dt


def _sum(*vals: int | None) -> int | None:
    known = [v for v in vals if v is not None]
    return sum(known) if known else None


def parse_mastodon(src: Source, ctx: Context) -> Parsed:
    out = Parsed(src.name, "mastodon", Network.MASTODON)
    posts: list[dict[str, Any]] = []
    snaps: list[dict[str, Any]] = []
    followers: dict[str, int] = {}
    for n, o in enumerate(_objects(src), start=1):
        out.rows_read += 1
        where = f"status {n}"
        if not isinstance(o, dict) or "id" not in o or "account" not in o:
            raise fail(src.name, "not a Mastodon Status (needs id and account)", column=where)
        if o.get("reblog"):
            out.skipped["boost of another account's post"] += 1
            continue
        acc = o.get("account") or {}
        acct = str(acc.get("acct") or acc.get("username") or "").strip()
        if not acct:
            raise fail(src.name, "status without account.acct", column=where)
        if "@" not in acct:
            host = urlparse(str(acc.get("url") or o.get("url") or "")).hostname
            acct = f"{acct}@{host}" if host else acct
        fav = _count(o, "favourites_count", where, src.name)
        rep = _count(o, "replies_count", where, src.name)
        reb = _count(o, "reblogs_count", where, src.name)
        quo = _count(o, "quotes_count", where, src.name)
        shares = _sum(reb, quo)
        posts.append({
            "handle": acct, "post_id": str(o["id"]),
            "published_at": _when(o.get("created_at"), src.name, f"{where}.created_at", ctx),
            "post_type": "reply" if o.get("in_reply_to_id") else "post",
            "text": _text(o.get("content")), "url": o.get("url") or o.get("uri"),
        })
        snaps.append({"handle": acct, "post_id": str(o["id"]), "likes": fav, "comments": rep,
                      "shares": shares, "engagements": _sum(fav, rep, shares)})
        fc = _count(acc, "followers_count", f"{where}.account", src.name)
        if fc is not None:
            followers[acct] = fc
    _finish(out, posts, snaps, ctx)
    if followers:
        day = ctx.now.astimezone(__import__("zoneinfo").ZoneInfo(ctx.tz)).date()
        out.daily = pa.table({"handle": pa.array(list(followers), pa.string()),
                              "date": pa.array([day] * len(followers), pa.date32()),
                              "followers": pa.array(list(followers.values()), pa.int64())})
        out.notes.append(f"followers (account.followers_count) stored for {day}, the import day")
    return out


def _finish(out: Parsed, posts: list[dict[str, Any]], snaps: list[dict[str, Any]],
            ctx: Context) -> None:
    if not posts:
        return
    out.posts = pa.table({
        "handle": pa.array([p["handle"] for p in posts], pa.string()),
        "post_id": pa.array([p["post_id"] for p in posts], pa.string()),
        "published_at": pa.array([p["published_at"] for p in posts], TS),
        "post_type": pa.array([p["post_type"] for p in posts], pa.string()),
        "text": pa.array([p["text"] for p in posts], pa.string()),
        "url": pa.array([p["url"] for p in posts], pa.string()),
    })
    cols = ["likes", "comments", "shares", "saves", "engagements"]
    out.snapshots = pa.table({
        "handle": pa.array([s["handle"] for s in snaps], pa.string()),
        "post_id": pa.array([s["post_id"] for s in snaps], pa.string()),
        **{c: pa.array([s.get(c) for s in snaps], pa.int64()) for c in cols
           if any(c in s for s in snaps)},
    })
    out.rows_used = len(posts)
    top = Counter(p["handle"] for p in posts).most_common(1)
    out.handle, out.handle_origin = top[0][0], "the posts' authors"
    times = [p["published_at"] for p in posts]
    out.first_day, out.last_day = min(times).date(), max(times).date()


def _post_views(src: Source, out: Parsed) -> tuple[list[tuple[dict[str, Any], bool]], str]:
    """(postView, is_repost) pairs and the feed owner (the most common non-repost author)."""
    items: list[tuple[dict[str, Any], bool]] = []
    for n, o in enumerate(_objects(src), start=1):
        if not isinstance(o, dict):
            raise fail(src.name, "expected JSON objects", column=f"item {n}")
        if isinstance(o.get("feed"), list):
            for it in o["feed"]:
                if isinstance(it, dict) and isinstance(it.get("post"), dict):
                    reason = (it.get("reason") or {}).get("$type", "")
                    items.append((it["post"], "reasonRepost" in reason))
        elif isinstance(o.get("posts"), list):
            items.extend((p, False) for p in o["posts"] if isinstance(p, dict))
        elif isinstance(o.get("post"), dict):
            reason = (o.get("reason") or {}).get("$type", "")
            items.append((o["post"], "reasonRepost" in reason))
        elif "uri" in o and "author" in o:
            items.append((o, False))
        else:
            raise fail(src.name, "not a Bluesky feed response or postView", column=f"item {n}")
    authors = Counter(str((p.get("author") or {}).get("handle") or "") for p, rp in items
                      if not rp)
    owner = authors.most_common(1)[0][0] if authors else ""
    return items, owner


def parse_bluesky(src: Source, ctx: Context) -> Parsed:
    out = Parsed(src.name, "bluesky", Network.BLUESKY)
    items, owner = _post_views(src, out)
    posts: list[dict[str, Any]] = []
    snaps: list[dict[str, Any]] = []
    seen: set[str] = set()
    feed = any(isinstance(o, dict) and "feed" in o for o in _objects(src))
    for n, (p, repost) in enumerate(items, start=1):
        out.rows_read += 1
        where = f"post {n}"
        handle = str((p.get("author") or {}).get("handle") or "").strip()
        uri = str(p.get("uri") or "")
        if not handle or not uri:
            raise fail(src.name, "postView without uri or author.handle", column=where)
        if repost and handle != owner:
            out.skipped["repost of another account's post"] += 1
            continue
        if feed and handle != owner:
            out.skipped["post by another author in the feed"] += 1
            continue
        if uri in seen:
            out.skipped["the same post twice"] += 1
            continue
        seen.add(uri)
        record = p.get("record") or {}
        created = record.get("createdAt") or p.get("indexedAt")
        like = _count(p, "likeCount", where, src.name)
        reply = _count(p, "replyCount", where, src.name)
        shares = _sum(_count(p, "repostCount", where, src.name),
                      _count(p, "quoteCount", where, src.name))
        saves = _count(p, "bookmarkCount", where, src.name)
        rkey = uri.rsplit("/", 1)[-1]
        posts.append({
            "handle": handle, "post_id": uri,
            "published_at": _when(created, src.name, f"{where}.record.createdAt", ctx),
            "post_type": "reply" if record.get("reply") else "post",
            "text": record.get("text") or None,
            "url": PLATFORMS[Network.BLUESKY].post_link(handle, rkey),
        })
        snaps.append({"handle": handle, "post_id": uri, "likes": like, "comments": reply,
                      "shares": shares, "saves": saves,
                      "engagements": _sum(like, reply, shares, saves)})
    _finish(out, posts, snaps, ctx)
    return out
