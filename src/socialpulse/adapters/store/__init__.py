"""The app database: SQLite (WAL) by default, PostgreSQL by URL, migrated by Alembic.

`Store` is one repository made of concerns, each in its module: ``core`` (engine, sessions,
migrations), ``directory`` (workspaces, brands, accounts) and ``ledger`` (import batches).
Every public name is importable from here.
"""

from __future__ import annotations

from .core import MIGRATIONS, SQLITE_BUSY_TIMEOUT_MS, StoreCore, check_database, make_engine
from .directory import DirectoryRepo
from .ledger import Batch, LedgerRepo

__all__ = [
    "MIGRATIONS",
    "SQLITE_BUSY_TIMEOUT_MS",
    "Batch",
    "Store",
    "check_database",
    "make_engine",
]


class Store(DirectoryRepo, LedgerRepo, StoreCore):
    """Repository over the app database. Every method is one short transaction."""
