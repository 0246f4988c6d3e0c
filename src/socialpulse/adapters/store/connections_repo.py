"""Connected accounts in the app database: the `ConnectionsRepository` port.

The sync lease (`claim_sync`) is a compare-and-set on the row, like the job queue's claim:
two workers (or a person's "sync now" beside the daily job) never sync one account at once.
A sync that dies keeps its observation time on the row, so the next try observes "at the same
time" and writes the same lake batch (content-hashed: nothing twice). All times UTC, given by
the caller.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from socialpulse.domain.connections import (
    Connection,
    ConnectionKind,
    ConnectionState,
    Quota,
)
from socialpulse.domain.errors import Conflict, NotFound
from socialpulse.domain.platforms import NETWORK_LABELS, Network

from . import Store
from .connections_tables import ConnectionRow


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _connection(r: ConnectionRow) -> Connection:
    created = _utc(r.created_at)
    assert created is not None
    return Connection(
        id=r.id, workspace_id=r.workspace_id, network=Network(r.network),
        kind=ConnectionKind(r.kind), handle=r.handle, server=r.server, account_id=r.account_id,
        state=ConnectionState(r.state), has_secret=bool(r.secret),
        secret_fingerprint=r.secret_fingerprint, created_at=created, cursor=r.cursor,
        last_sync_at=_utc(r.last_sync_at), next_sync_at=_utc(r.next_sync_at),
        last_error=r.last_error, auth_failures=r.auth_failures,
        quota=Quota(r.quota_limit, r.quota_remaining, _utc(r.quota_reset_at)),
        synced_posts=r.synced_posts)


class ConnectionsRepo:
    """Connections of every workspace; each method is one short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, workspace_id: int, account_id: int, network: Network, kind: ConnectionKind,
            handle: str, server: str, secret: str | None, fingerprint: str, *,
            now: datetime) -> Connection:
        row = ConnectionRow(
            workspace_id=workspace_id, account_id=account_id, network=network.value,
            kind=kind.value, handle=handle, server=server, state=ConnectionState.ACTIVE.value,
            secret=secret, secret_fingerprint=fingerprint, auth_failures=0, synced_posts=0,
            next_sync_at=_utc(now), created_at=_utc(now), updated_at=_utc(now))
        try:
            with self.store.session() as s:
                s.add(row)
                s.flush()
                return _connection(row)
        except IntegrityError:
            raise Conflict(f"{NETWORK_LABELS[network]} {handle} is already connected in this "
                           "workspace; see `socialpulse connections list`") from None

    def get(self, connection_id: int) -> Connection | None:
        with self.store.session() as s:
            row = s.get(ConnectionRow, connection_id)
            return _connection(row) if row is not None else None

    def connections(self, workspace_id: int | None = None) -> list[Connection]:
        with self.store.session() as s:
            q = select(ConnectionRow).order_by(ConnectionRow.id)
            if workspace_id is not None:
                q = q.where(ConnectionRow.workspace_id == workspace_id)
            return [_connection(r) for r in s.scalars(q)]

    def secret(self, connection_id: int) -> str | None:
        """The encrypted credentials (a Fernet token), for the service to decrypt."""
        with self.store.session() as s:
            row = s.get(ConnectionRow, connection_id)
            return row.secret if row is not None else None

    def set_state(self, connection_id: int, state: ConnectionState, *, now: datetime,
                  error: str | None = None, reset_failures: bool = False) -> Connection:
        values: dict[str, object] = {"state": state.value, "updated_at": _utc(now)}
        if error is not None:
            values["last_error"] = error
        if reset_failures:
            values["auth_failures"] = 0
        with self.store.session() as s:
            s.execute(update(ConnectionRow).where(ConnectionRow.id == connection_id)
                      .values(**values))
        found = self.get(connection_id)
        if found is None:
            raise NotFound(f"connection {connection_id} not found")
        return found

    def remove(self, connection_id: int) -> None:
        with self.store.session() as s:
            row = s.get(ConnectionRow, connection_id)
            if row is None:
                raise NotFound(f"connection {connection_id} not found")
            s.delete(row)

    def claim_sync(self, connection_id: int, owner: str, *, now: datetime,
                   until: datetime) -> datetime | None:
        """Hold the connection's sync lease; answers the observation time to use (a crashed
        sync's, else ``now``), or None when another live sync holds it."""
        free = or_(ConnectionRow.sync_owner.is_(None), ConnectionRow.sync_until < _utc(now),
                   ConnectionRow.sync_owner == owner)
        with self.store.session() as s:
            done = s.execute(update(ConnectionRow).where(
                and_(ConnectionRow.id == connection_id, free))
                .values(sync_owner=owner, sync_until=_utc(until), updated_at=_utc(now)))
            if getattr(done, "rowcount", 0) != 1:
                return None
            row = s.get(ConnectionRow, connection_id)
            assert row is not None
            if row.sync_observed_at is None:
                row.sync_observed_at = _utc(now)
            observed = _utc(row.sync_observed_at)
            assert observed is not None
            return observed

    def extend_sync(self, connection_id: int, owner: str, *, until: datetime) -> bool:
        with self.store.session() as s:
            done = s.execute(update(ConnectionRow).where(
                ConnectionRow.id == connection_id, ConnectionRow.sync_owner == owner)
                .values(sync_until=_utc(until)))
            return bool(getattr(done, "rowcount", 0) == 1)

    def finish_sync(self, connection_id: int, owner: str, *, now: datetime, ok: bool,
                    quota: Quota, error: str | None, next_sync_at: datetime | None,
                    cursor: str | None = None, new_posts: int = 0,
                    auth_failed: bool = False, pause: bool = False) -> bool:
        """Record a sync's outcome and free the lease (only the lease's owner may). A success
        clears the observation time (the next sync observes anew) and the failure count."""
        values: dict[str, object] = {
            "sync_owner": None, "sync_until": None, "updated_at": _utc(now),
            "quota_limit": quota.limit, "quota_remaining": quota.remaining,
            "quota_reset_at": _utc(quota.reset_at), "last_error": error}
        if next_sync_at is not None:
            values["next_sync_at"] = _utc(next_sync_at)
        if ok:
            values.update(sync_observed_at=None, last_sync_at=_utc(now), auth_failures=0,
                          synced_posts=ConnectionRow.synced_posts + new_posts)
            if cursor is not None:
                values["cursor"] = cursor
        elif auth_failed:
            values["auth_failures"] = ConnectionRow.auth_failures + 1
        if pause:
            values["state"] = ConnectionState.PAUSED.value
        with self.store.session() as s:
            done = s.execute(update(ConnectionRow).where(
                ConnectionRow.id == connection_id, ConnectionRow.sync_owner == owner)
                .values(**values))
            return bool(getattr(done, "rowcount", 0) == 1)
