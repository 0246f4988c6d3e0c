"""Settings from options and environment: where the data home is and which database to use."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, replace
from pathlib import Path

from socialpulse.domain.errors import InvalidInput

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Host names the web server answers to by default (any port); others get 400, so a page whose
#: name is rebound to this machine's address (DNS rebinding) cannot talk to it.
DEFAULT_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def default_home() -> Path:
    """``$SOCIALPULSE_HOME``, else the XDG data folder (``~/.local/share/socialpulse``)."""
    env = os.environ.get("SOCIALPULSE_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "socialpulse"


def with_allowed_hosts(
    hosts: tuple[str, ...], extra: list[str] | tuple[str, ...]
) -> tuple[str, ...]:
    """``hosts`` plus the names of ``extra`` (trimmed, lower case, no repeats); blanks and
    wildcard bind addresses (``0.0.0.0``, ``::``) name no host and are left out."""
    out = list(hosts)
    for name in extra:
        name = name.strip().lower()
        if name and name not in out and not _unspecified(name):
            out.append(name)
    return tuple(out)


def _unspecified(name: str) -> bool:
    try:
        return ipaddress.ip_address(name.strip("[]")).is_unspecified
    except ValueError:
        return False


def _megabytes(variable: str, default: float) -> int:
    """A size in MB from the environment, in bytes; a bad value names the variable."""
    raw = os.environ.get(variable, "").strip()
    try:
        mb = float(raw) if raw else default
    except ValueError:
        mb = -1.0
    if not 0 < mb < 2**30:
        raise InvalidInput(f"{variable}: {raw!r} is not a size in MB such as 200")
    return int(mb * 1024 * 1024)


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    #: "duckdb" (in process, the default) or "spark" (PySpark: local mode or a cluster named by
    #: $SOCIALPULSE_SPARK_MASTER); the same Ibis plans run on both.
    query_engine: str = "duckdb"
    #: The largest upload the web server accepts (all files of one request together); bigger
    #: bodies are refused while they stream in. $SOCIALPULSE_MAX_UPLOAD_MB sets it.
    max_upload_bytes: int = 200 * 1024 * 1024
    #: Host names (Host header, any port) the web server answers: the defaults plus those of
    #: $SOCIALPULSE_ALLOWED_HOSTS (comma-separated) and ``serve --allowed-host``.
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS

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
            max_upload_bytes=_megabytes("SOCIALPULSE_MAX_UPLOAD_MB", 200),
            allowed_hosts=with_allowed_hosts(
                DEFAULT_ALLOWED_HOSTS, os.environ.get("SOCIALPULSE_ALLOWED_HOSTS", "").split(",")
            ),
        )

    def with_hosts(self, *names: str) -> Settings:
        """These settings with more allowed host names (``serve --allowed-host``)."""
        return replace(self, allowed_hosts=with_allowed_hosts(self.allowed_hosts, names))

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
