"""Column shapes shared by the ORM tables and the Alembic migrations of the app database.

Most tables repeat the same few columns: an integer ``id`` primary key, a reference to another
table's ``id`` (mostly ``workspace_id``, deleted with the workspace) and timezone-aware
timestamps. Each shape is here twice: ``mapped_column`` for the ORM classes (``*_tables.py``)
and ``sa.Column`` for the migrations (``migrations/versions``). Keep the two halves in step:
``tests/core/test_store.py`` compares the migrated schema with the ORM metadata.

FROZEN: migrations import these helpers, and a migration must create the same schema forever
(a database migrated last year and one migrated today must be identical). Never change what an
existing function returns, not even a default argument. A new shape gets a new function; a
migration that needs something else spells its columns out itself.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import MappedColumn, mapped_column

# --- ORM (mapped_column) -----------------------------------------------------------------------


def id_pk() -> MappedColumn[Any]:
    """``id INTEGER PRIMARY KEY``."""
    return mapped_column(sa.Integer, primary_key=True)


def ref(
    table: str,
    *,
    ondelete: str = "CASCADE",
    nullable: bool | None = None,
    index: bool | None = None,
    primary_key: bool | None = None,
) -> MappedColumn[Any]:
    """A reference to ``table.id`` (its type comes from the ``Mapped[...]`` annotation).

    Only the options that are given are passed on, exactly as if written by hand.
    """
    kw = _given(nullable=nullable, index=index, primary_key=primary_key)
    return mapped_column(sa.ForeignKey(f"{table}.id", ondelete=ondelete), **kw)


def workspace_ref(*, index: bool | None = None) -> MappedColumn[Any]:
    """``workspace_id``: the owning workspace, not null, deleted with it."""
    return ref("workspaces", nullable=False, index=index)


def timestamp(*, nullable: bool = False) -> MappedColumn[Any]:
    """A timezone-aware point in time (``created_at``, ``updated_at``, ``archived_at``...)."""
    return mapped_column(sa.DateTime(timezone=True), nullable=nullable)


# --- migrations (sa.Column) --------------------------------------------------------------------


def id_column() -> sa.Column[Any]:
    """``id INTEGER PRIMARY KEY``."""
    return sa.Column("id", sa.Integer, primary_key=True)


def ref_column(
    name: str,
    table: str,
    *,
    ondelete: str = "CASCADE",
    nullable: bool | None = None,
    index: bool | None = None,
    primary_key: bool | None = None,
) -> sa.Column[Any]:
    """An integer column ``name`` referencing ``table.id``; only given options are passed on."""
    kw = _given(nullable=nullable, index=index, primary_key=primary_key)
    return sa.Column(name, sa.Integer, sa.ForeignKey(f"{table}.id", ondelete=ondelete), **kw)


def workspace_column(*, index: bool | None = None) -> sa.Column[Any]:
    """``workspace_id``: the owning workspace, not null, deleted with it."""
    return ref_column("workspace_id", "workspaces", nullable=False, index=index)


def timestamp_column(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A timezone-aware point in time."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _given(**options: bool | None) -> dict[str, Any]:
    """The options that were given (not None), to pass on as keyword arguments."""
    return {k: v for k, v in options.items() if v is not None}
