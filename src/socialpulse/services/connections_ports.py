"""The ports of connected accounts: the connectors (one per network) and their table.

Kept beside `services/ports.py` (which holds the secret cipher they use) so that file stays
within the size rule; the same contract applies: services receive these, `bootstrap.py`
passes the adapters (`adapters/connectors/registry.py`, `adapters/store/connections_repo.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from socialpulse.domain.connections import (
    AccountInfo,
    Connection,
    ConnectionKind,
    ConnectionState,
    Credentials,
    PostPage,
    Quota,
    RawPost,
)
from socialpulse.domain.platforms import Network
from socialpulse.services.import_model import Parsed


class Connector(Protocol):
    """One account on one network. Every call may raise `ConnectorError` (a clear refusal),
    `AuthFailed` (401) or `Unavailable` (still failing after the retries)."""

    @property
    def quota(self) -> Quota: ...

    def check(self) -> AccountInfo:
        """The test call on connect: the account exists and the credentials may read it."""
        ...

    def fetch_account(self) -> AccountInfo: ...

    def fetch_account_metrics(self) -> Mapping[str, int]: ...

    def fetch_posts(self, page: str | None) -> PostPage:
        """A page of posts, newest first (``page`` None: the newest)."""
        ...

    def to_parsed(self, posts: Sequence[RawPost], account: AccountInfo, observed_at: datetime,
                  tz: str) -> Parsed:
        """The posts as the export importer reads them (same natural keys)."""
        ...

    def close(self) -> None: ...


class Connectors(Protocol):
    """The registry of connectors by network (`adapters/connectors/registry.py`)."""

    def networks(self) -> list[Network]: ...

    def server(self, network: Network, kind: ConnectionKind, given: str | None) -> str: ...

    def secret_needed(self, network: Network, kind: ConnectionKind) -> str | None: ...

    def open(self, network: Network, kind: ConnectionKind, creds: Credentials) -> Connector: ...


class ConnectionsRepository(Protocol):
    """Connected accounts in the app database (`adapters/store/connections_repo.py`)."""

    def add(self, workspace_id: int, account_id: int, network: Network, kind: ConnectionKind,
            handle: str, server: str, secret: str | None, fingerprint: str, *,
            now: datetime) -> Connection: ...

    def get(self, connection_id: int) -> Connection | None: ...

    def connections(self, workspace_id: int | None = None) -> list[Connection]: ...

    def secret(self, connection_id: int) -> str | None: ...

    def set_state(self, connection_id: int, state: ConnectionState, *, now: datetime,
                  error: str | None = None, reset_failures: bool = False) -> Connection: ...

    def remove(self, connection_id: int) -> None: ...

    def claim_sync(self, connection_id: int, owner: str, *, now: datetime,
                   until: datetime) -> datetime | None: ...

    def extend_sync(self, connection_id: int, owner: str, *, until: datetime) -> bool: ...

    def finish_sync(self, connection_id: int, owner: str, *, now: datetime, ok: bool,
                    quota: Quota, error: str | None, next_sync_at: datetime | None,
                    cursor: str | None = None, new_posts: int = 0,
                    auth_failed: bool = False, pause: bool = False) -> bool: ...
