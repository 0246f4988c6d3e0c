"""Connect accounts, list them, pause, resume and disconnect them.

Connecting makes a test call first (the connector's `check`): a wrong token, a token without
the read scope or an unknown handle is refused with the network's reason and nothing is
stored. Then the account joins the workspace (a public account joins a competitor brand, so
`socialpulse compare` sees it), the credentials are stored encrypted (`SecretCipher`), and a
backfill sync is queued (`services/sync.py`). Every write takes the acting `Actor` and needs
`Action.CONNECTIONS_EDIT`. Credentials never come back out: a connection shows "set" and a
fingerprint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.connections import (
    Connection,
    ConnectionKind,
    ConnectionState,
    Credentials,
    Secret,
)
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.jobs import Job
from socialpulse.domain.models import NETWORK_LABELS, Network, Workspace
from socialpulse.services.connections_ports import ConnectionsRepository, Connectors
from socialpulse.services.ports import SecretCipher, WorkspaceRepository
from socialpulse.services.sync import SyncService

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ConnectRequest:
    """What a person gives to connect an account (CLI options, the API's body)."""

    network: Network
    kind: ConnectionKind
    handle: str = ""
    server: str | None = None
    secret: Secret | None = None
    brand: str | None = None  # public accounts: the competitor brand they join


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else "never"


#: The fields of `connection_record`, in the order tables show them.
COLUMNS = ["id", "account", "data", "state", "last_sync", "next_sync", "posts", "quota_left",
           "credentials", "error"]


def connection_record(c: Connection) -> dict[str, Any]:
    """A connection as people see it (CLI, API, page): whether credentials are set and their
    fingerprint, never the credentials."""
    return {"id": c.id, "account": c.label, "network": c.network.value, "handle": c.handle,
            "data": c.kind.words, "kind": c.kind.value, "state": c.state.words,
            "server": c.server, "last_sync": _when(c.last_sync_at),
            "next_sync": (_when(c.next_sync_at) if c.state is ConnectionState.ACTIVE
                          else "paused"),
            "posts": c.synced_posts, "quota_left": c.quota.words,
            "credentials": f"set ({c.secret_fingerprint})" if c.has_secret else "none",
            "error": c.last_error or ""}


class ConnectionsService:
    """Use cases of connected accounts; the sync itself is `sync` (a `SyncService`)."""

    def __init__(self, repo: ConnectionsRepository, connectors: Connectors,
                 cipher: SecretCipher, store: WorkspaceRepository, sync: SyncService,
                 clock: Clock = utc_now) -> None:
        self.repo = repo
        self.connectors = connectors
        self.cipher = cipher
        self.store = store
        self.sync = sync
        self.clock = clock

    def connect(self, actor: Actor, ws: Workspace, req: ConnectRequest
                ) -> tuple[Connection, Job]:
        """Test the credentials, store the connection, queue its backfill."""
        authorize(actor, Action.CONNECTIONS_EDIT, ws.slug)
        label = NETWORK_LABELS[req.network]
        needed = self.connectors.secret_needed(req.network, req.kind)
        if needed and not req.secret:
            raise InvalidInput(f"{label}: this connection needs its {needed} (read from "
                               "standard input)")
        if not needed and req.secret:
            raise InvalidInput(f"{label}: a {req.kind.words} connection is read without "
                               "credentials; leave them out")
        handle = req.handle.strip().lstrip("@")
        if req.kind is ConnectionKind.PUBLIC and not handle:
            raise InvalidInput(f"{label}: --handle: say whose public data to sync")
        server = self.connectors.server(req.network, req.kind, req.server)
        connector = self.connectors.open(req.network, req.kind,
                                         Credentials(server, handle, req.secret))
        try:
            info = connector.check()
        finally:
            connector.close()
        existing = [c for c in self.repo.connections(ws.id)
                    if c.network is req.network and c.handle == info.handle]
        if existing:
            raise InvalidInput(f"{label} {info.handle} is already connected in workspace "
                               f"{ws.slug!r} (connection {existing[0].id})")
        account = self.store.ensure_account(ws.id, req.network, info.handle,
                                            name=info.name, url=info.url)
        if req.kind is ConnectionKind.PUBLIC:
            brand = (req.brand or "").strip() or info.name or info.handle
            account = self.store.update_account(ws.id, account.id, brand=brand,
                                                brand_is_own=False)
        token = self.cipher.encrypt(req.secret) if req.secret else None
        fingerprint = self.cipher.fingerprint(req.secret) if req.secret else ""
        conn = self.repo.add(ws.id, account.id, req.network, req.kind, info.handle, server,
                             token, fingerprint, now=self.clock())
        return conn, self.sync.enqueue(actor, ws, conn, backfill=True)

    def list(self, ws: Workspace) -> list[Connection]:
        return self.repo.connections(ws.id)

    def find(self, ws: Workspace, ref: str) -> Connection:
        """A connection by id, handle or NETWORK:HANDLE."""
        text = ref.strip()
        conns = self.repo.connections(ws.id)
        if text.isascii() and text.isdigit():
            found = [c for c in conns if c.id == int(text)]
        else:
            net, sep, handle = text.partition(":")
            h = (handle if sep else text).lstrip("@").lower()
            found = [c for c in conns if c.handle.lower() == h
                     and (not sep or c.network.value == net.lower())]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InvalidInput(f"connection {text!r} matches {len(found)} connections; write "
                               "NETWORK:HANDLE")
        raise InvalidInput(f"no connection {text!r} in workspace {ws.slug!r}; see "
                           "`socialpulse connections list`")

    def pause(self, actor: Actor, ws: Workspace, ref: str) -> Connection:
        authorize(actor, Action.CONNECTIONS_EDIT, ws.slug)
        conn = self.find(ws, ref)
        return self.repo.set_state(conn.id, ConnectionState.PAUSED, now=self.clock(),
                                   error=f"paused by {actor.name}")

    def resume(self, actor: Actor, ws: Workspace, ref: str) -> tuple[Connection, Job]:
        """Active again (sign-in failures forgiven), with a sync queued now."""
        authorize(actor, Action.CONNECTIONS_EDIT, ws.slug)
        conn = self.repo.set_state(self.find(ws, ref).id, ConnectionState.ACTIVE,
                                   now=self.clock(), error="", reset_failures=True)
        return conn, self.sync.enqueue(actor, ws, conn, now=True)

    def sync_now(self, actor: Actor, ws: Workspace, ref: str) -> Job:
        authorize(actor, Action.CONNECTIONS_EDIT, ws.slug)
        conn = self.find(ws, ref)
        if conn.state is ConnectionState.PAUSED:
            raise InvalidInput(f"{conn.label} is paused; `socialpulse connections resume "
                               f"{conn.id}` first")
        return self.sync.enqueue(actor, ws, conn, now=True)

    def remove(self, actor: Actor, ws: Workspace, ref: str) -> Connection:
        """Forget the connection and its credentials; the account and what was synced stay
        (they are data like an import's: `socialpulse lake remove BATCH` removes a batch)."""
        authorize(actor, Action.CONNECTIONS_EDIT, ws.slug)
        conn = self.find(ws, ref)
        self.repo.remove(conn.id)
        return conn
