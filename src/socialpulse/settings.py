"""Settings from options and environment: where the data home is and which database to use."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def default_home() -> Path:
    """``$SOCIALPULSE_HOME``, else the XDG data folder (``~/.local/share/socialpulse``)."""
    env = os.environ.get("SOCIALPULSE_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "socialpulse"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    #: "duckdb" (in process, the default) or "spark" (PySpark: local mode or a cluster named by
    #: $SOCIALPULSE_SPARK_MASTER); the same Ibis plans run on both.
    query_engine: str = "duckdb"

    @classmethod
    def from_env(
        cls,
        home: Path | str | None = None,
        database_url: str | None = None,
        query_engine: str | None = None,
    ) -> Settings:
        return cls(
            home=Path(home).expanduser() if home else default_home(),
            database_url=database_url or os.environ.get("SOCIALPULSE_DATABASE_URL") or None,
            query_engine=(
                query_engine or os.environ.get("SOCIALPULSE_QUERY_ENGINE") or "duckdb"
            ).strip().lower(),
        )

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'socialpulse.db'}"

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @property
    def marker(self) -> Path:
        """A file that says this folder is a socialpulse home."""
        return self.home / "socialpulse.toml"
