"""Mastodon: an own account by access token, or any account's public data by handle.

Calls (https://docs.joinmastodon.org/methods/accounts/):
- ``GET /api/v1/accounts/verify_credentials`` (own: the token's account; 401 bad or expired
  token, 403 a token without the ``read`` scope);
- ``GET /api/v1/accounts/lookup?acct=`` (public: 404 for an unknown handle);
- ``GET /api/v1/accounts/:id/statuses?limit=40&exclude_reblogs=true&max_id=`` newest first,
  the next (older) page named by the ``Link: <...max_id=...>; rel="next"`` header.
Statuses are read by the export importer (`answers.py`), so keys match imported files.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from socialpulse.adapters.importers.fediverse import parse_mastodon
from socialpulse.domain.connections import (
    AccountInfo,
    ConnectionKind,
    ConnectorError,
    Credentials,
    PostPage,
    Quota,
    RawPost,
)
from socialpulse.domain.platforms import Network
from socialpulse.domain.publishing import Published, Variant, full_text
from socialpulse.services.import_model import Parsed

from .answers import parsed_answer
from .http import CallPolicy, PoliteClient, expect

PAGE_SIZE = 40
#: pages of statuses a look-up reads forward from the schedule (40 each)
FIND_PAGES = 25
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def _count(o: Mapping[str, Any], key: str) -> int | None:
    v = o.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None


def _acct(o: Mapping[str, Any], server: str) -> str:
    """``user@host`` as the importer writes it (a local account's acct has no host)."""
    acct = str(o.get("acct") or o.get("username") or "").strip().lstrip("@")
    if acct and "@" not in acct:
        host = urlparse(str(o.get("url") or server)).hostname
        acct = f"{acct}@{host}" if host else acct
    return acct


def _order(status_id: str) -> str:
    """Mastodon ids grow with time (snowflake-like digits): zero-padded they sort as strings."""
    return status_id.zfill(24) if status_id.isdigit() else status_id


class MastodonConnector:
    """The `Connector` port for one Mastodon account."""

    network = Network.MASTODON

    def __init__(self, kind: ConnectionKind, creds: Credentials, policy: CallPolicy,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.kind = kind
        self.creds = creds
        self.client = PoliteClient(creds.server, f"Mastodon {urlparse(creds.server).hostname}",
                                   policy, transport)
        self._account: dict[str, Any] | None = None

    @staticmethod
    def default_server(kind: ConnectionKind) -> str | None:
        return None  # every instance is its own server: --instance is required

    @staticmethod
    def secret_for(kind: ConnectionKind) -> str | None:
        return "access token" if kind is ConnectionKind.OWN else None

    @property
    def quota(self) -> Quota:
        return self.client.quota

    def close(self) -> None:
        self.client.close()

    def _token(self) -> str | None:
        return self.creds.secret.reveal() if self.creds.secret else None

    def _lookup(self) -> dict[str, Any]:
        if self.kind is ConnectionKind.OWN:
            path, params = "/api/v1/accounts/verify_credentials", {}
        else:
            path, params = "/api/v1/accounts/lookup", {"acct": self.creds.handle.lstrip("@")}
        try:
            data, _ = self.client.get(path, params, token=self._token())
        except ConnectorError as exc:
            raise type(exc)(_explained(exc, self.kind, self.creds.handle), exc.status) from None
        account = expect(data, dict, f"{self.client.label} account", "an Account object")
        if not account.get("id"):
            raise ConnectorError(f"{self.client.label} account: malformed answer: an "
                                 "Account without id")
        return dict(account)

    def check(self) -> AccountInfo:
        """The test call of a connection: the account exists and the token may read it."""
        self._account = self._lookup()
        return self._info(self._account)

    def fetch_account(self) -> AccountInfo:
        return self.check()

    def fetch_account_metrics(self) -> Mapping[str, int]:
        info = self.fetch_account()
        return {"followers": info.followers} if info.followers is not None else {}

    def _info(self, a: Mapping[str, Any]) -> AccountInfo:
        return AccountInfo(handle=_acct(a, self.creds.server),
                           name=str(a.get("display_name") or a.get("username") or ""),
                           url=str(a.get("url") or ""), followers=_count(a, "followers_count"),
                           following=_count(a, "following_count"),
                           posts=_count(a, "statuses_count"))

    def fetch_posts(self, page: str | None) -> PostPage:
        if self._account is None:
            self.check()
        assert self._account is not None
        path = f"/api/v1/accounts/{self._account['id']}/statuses"
        params: dict[str, Any] = {"limit": PAGE_SIZE, "exclude_reblogs": "true"}
        if page:
            params["max_id"] = page
        data, headers = self.client.get(path, params, token=self._token())
        where = f"{self.client.label} posts"
        statuses = expect(data, list, where, "an array of Status objects")
        posts = []
        for n, s in enumerate(statuses, start=1):
            if not isinstance(s, dict) or not s.get("id") or not s.get("created_at"):
                raise ConnectorError(f"{where}: malformed answer: status {n} has no id or "
                                     "created_at")
            if s.get("reblog"):
                continue
            posts.append(RawPost(str(s["id"]), _instant(s["created_at"], where),
                                 _order(str(s["id"])), s))
        return PostPage(tuple(posts), _next_max_id(headers.get("Link")) if statuses else None)

    def to_parsed(self, posts: Sequence[RawPost], account: AccountInfo, observed_at: datetime,
                  tz: str) -> Parsed:
        return parsed_answer(parse_mastodon, self.network, f"{self.client.label} statuses",
                             [dict(p.data) for p in posts], account, observed_at, tz)

    # --- publishing (issue 17: the `Publisher` port) -------------------------------------

    def publish(self, variant: Variant, idempotency_key: str, record_key: str) -> Published:
        """``POST /api/v1/statuses`` with the ``Idempotency-Key`` header: Mastodon answers a
        repeat with the same key (within an hour) with the status it already made."""
        if variant.media:
            raise ConnectorError(f"{self.client.label}: attaching media is not supported")
        data, _ = self.client.call(
            "POST", "/api/v1/statuses", body={"status": full_text(variant),
                                             "visibility": "public"},
            token=self._token(), headers={"Idempotency-Key": idempotency_key}, once=True)
        return self._published(expect(data, dict, f"{self.client.label} new status",
                                      "a Status object"))

    def find(self, variant: Variant, idempotency_key: str, record_key: str,
             since: datetime) -> Published | None:
        """The account's statuses made since ``since`` (``min_id`` from that time, as
        Mastodon's ids are time-based) whose text is this variant's: the marker of a send
        whose answer was lost."""
        if self._account is None:
            self.check()
        assert self._account is not None
        floor = int(since.timestamp() * 1000) << 16
        want = full_text(variant)
        for _ in range(FIND_PAGES):  # min_id pages forward in time, each newest first
            data, _ = self.client.get(f"/api/v1/accounts/{self._account['id']}/statuses",
                                      {"limit": PAGE_SIZE, "min_id": str(floor)},
                                      token=self._token())
            page = expect(data, list, f"{self.client.label} posts", "an array of Statuses")
            for st in page:
                if isinstance(st, dict) and plain_text(str(st.get("content") or "")) == want:
                    return self._published(st)
            ids = [int(st["id"]) for st in page if isinstance(st, dict)
                   and str(st.get("id") or "").isdigit()]
            if len(page) < PAGE_SIZE or not ids:
                return None
            floor = max(ids)
        return None

    def _published(self, st: Mapping[str, Any]) -> Published:
        where = f"{self.client.label} new status"
        if not st.get("id") or not st.get("created_at"):
            raise ConnectorError(f"{where}: malformed answer: a Status without id")
        return Published(str(st["id"]), str(st.get("url") or st.get("uri") or ""),
                         _instant(st["created_at"], where), dict(st))


_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def plain_text(content: str) -> str:
    """A status's HTML ``content`` as the text it was written from (line breaks kept)."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", content))).strip()


def _instant(text: Any, where: str) -> datetime:
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ConnectorError(f"{where}: malformed answer: created_at {str(text)[:40]!r} is "
                             "not a time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _next_max_id(link: str | None) -> str | None:
    """The ``max_id`` of the Link header's next page (None: this was the last page)."""
    if not link:
        return None
    m = _NEXT.search(link)
    if m is None:
        return None
    values = parse_qs(urlparse(m.group(1)).query).get("max_id")
    return values[0] if values else None


def _explained(exc: ConnectorError, kind: ConnectionKind, handle: str) -> str:
    """The network's refusal in the words a person acts on."""
    if exc.status == 403:
        return (f"{exc.message}: the access token lacks the read scope (create it with "
                "read:accounts and read:statuses)")
    if exc.status == 404 and kind is ConnectionKind.PUBLIC:
        return f"{exc.message}: no account {handle!r} is known to this instance"
    if exc.status == 401:
        return exc.message + ": the access token is wrong, expired or revoked"
    return exc.message
