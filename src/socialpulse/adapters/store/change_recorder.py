"""Records every change of the app's tables in ``change_log``, in the same transaction.

Installed on the store's sessions (`install`): after each flush it reads what the flush wrote
(new, changed and deleted ORM rows, with each changed column's value before and after), and
before each bulk ORM ``UPDATE``/``DELETE`` it reads the ids that statement will touch. Each
row becomes one entry stamped with the authorization noted by `domain.actor.authorize`
(`domain.change_log.current_authorization`): who, which action, which workspace. Tables and
columns of `domain.change_log` decide what is left out (bookkeeping) and what is hidden
(secrets). Because entries are written on the change's own connection, a change that rolls
back leaves none, and one that commits always has its entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, sessionmaker

from socialpulse.domain.change_log import (
    CHANGED,
    CREATED,
    QUIET_COLUMNS,
    REMOVED,
    UNLOGGED_TABLES,
    current_authorization,
    loggable_value,
)

from .change_log_tables import ChangeLogRow
from .core import StoreCore

#: Who a change is stamped with when no write was authorized in its context.
UNKNOWN_ACTOR = {"actor_id": "unknown", "actor_name": "unknown", "actor_kind": "unknown"}


def install(store: StoreCore) -> None:
    """Record the changes of every session of ``store`` (idempotent)."""
    sessions: sessionmaker[Session] = store._sessions
    if not event.contains(sessions, "after_flush", _after_flush):
        event.listen(sessions, "after_flush", _after_flush)
        event.listen(sessions, "do_orm_execute", _before_bulk)


def _stamp() -> dict[str, Any]:
    auth = current_authorization()
    who = UNKNOWN_ACTOR if auth is None else {
        "actor_id": auth.actor.id, "actor_name": auth.actor.name,
        "actor_kind": auth.actor.kind.value}
    return {**who, "at": datetime.now(UTC), "action": auth.action if auth else None,
            "workspace": auth.workspace if auth else None}


def _logged(mapper: Mapper[Any]) -> str | None:
    """The table name of a mapper's rows when they are logged, else None."""
    name = getattr(mapper.local_table, "name", None)
    return None if name is None or name in UNLOGGED_TABLES else str(name)


def _key(mapper: Mapper[Any], obj: Any) -> str:
    return "/".join(str(v) for v in mapper.primary_key_from_instance(obj))


def _values(mapper: Mapper[Any], obj: Any) -> dict[str, Any]:
    pk = {c.key for c in mapper.primary_key}
    out = {}
    for attr in mapper.column_attrs:
        if attr.key in pk or attr.key in QUIET_COLUMNS:
            continue
        value = obj.__dict__.get(attr.key)
        if value is not None:
            out[attr.key] = loggable_value(attr.key, value)
    return out


def _changes(mapper: Mapper[Any], obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    out = {}
    for attr in mapper.column_attrs:
        if attr.key in QUIET_COLUMNS:
            continue
        hist = state.attrs[attr.key].history
        if not hist.added:
            continue
        before = hist.deleted[0] if hist.deleted else None
        after = hist.added[0]
        if before != after:
            out[attr.key] = {"from": loggable_value(attr.key, before),
                             "to": loggable_value(attr.key, after)}
    return out


def _flushed(session: Session) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(table, id, change, details) of each logged row this flush wrote."""
    for change, objs in ((CREATED, session.new), (CHANGED, session.dirty),
                         (REMOVED, session.deleted)):
        for obj in objs:
            mapper = inspect(obj).mapper
            table = _logged(mapper)
            if table is None:
                continue
            details = _changes(mapper, obj) if change == CHANGED else _values(mapper, obj)
            if change == CHANGED and not details:
                continue  # only bookkeeping columns changed
            yield table, _key(mapper, obj), change, details


def _after_flush(session: Session, _flush_context: Any) -> None:
    rows = [{"subject": t, "subject_id": i[:100], "change": c, "details": d}
            for t, i, c, d in _flushed(session)]
    if rows:
        stamp = _stamp()
        session.connection().execute(insert(ChangeLogRow), [
            {**stamp, **r, "workspace": _workspace_of(r) or stamp["workspace"]} for r in rows])


def _workspace_of(row: dict[str, Any]) -> str | None:
    """A workspace's own row belongs to it (creating one is authorized outside any)."""
    if row["subject"] == "workspaces":
        slug = row["details"].get("slug")
        return slug if isinstance(slug, str) else None
    return None


def _before_bulk(state: ORMExecuteState) -> None:
    """An ORM ``update(Row)``/``delete(Row)`` statement: one entry per row it will touch
    (read first with the statement's own WHERE; an update of bookkeeping columns only, such
    as a lease renewal, costs nothing)."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    mapper = state.bind_mapper
    table = _logged(mapper)
    if table is None:
        return
    details: dict[str, Any] = {}
    if state.is_update:
        for column, value in _set_values(state.statement).items():
            if column not in QUIET_COLUMNS:
                details[column] = {"to": loggable_value(column, value)}  # before: not read
        if not details:
            return
    pk = list(mapper.primary_key)
    where = getattr(state.statement, "whereclause", None)
    ids = select(*pk) if where is None else select(*pk).where(where)
    keys = ["/".join(str(v) for v in r) for r in state.session.execute(ids)]
    if not keys:
        return
    stamp = _stamp()
    change = CHANGED if state.is_update else REMOVED
    state.session.connection().execute(insert(ChangeLogRow), [
        {**stamp, "subject": table, "subject_id": k[:100], "change": change,
         "details": details} for k in keys])


def _set_values(statement: Any) -> dict[str, Any]:
    """``column name -> new value`` of an UPDATE statement's SET clause (literal values)."""
    out: dict[str, Any] = {}
    for column, value in (getattr(statement, "_values", None) or {}).items():
        name = getattr(column, "key", None) or getattr(column, "name", None) or str(column)
        out[str(name)] = getattr(value, "value", value)
    return out
