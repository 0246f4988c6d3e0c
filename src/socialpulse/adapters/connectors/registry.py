"""The connectors by network: one module per network, chosen here by the registry's id.

Generic code (the connections and sync services) never branches on a network: it asks this
registry (the `Connectors` port of `services/connections_ports.py`) for a connector and calls the
`Connector` protocol. A network joins by one module and one line in ``CONNECTORS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import httpx

from socialpulse.domain.connections import ConnectionKind, ConnectorError, Credentials
from socialpulse.domain.platforms import NETWORK_LABELS, Network
from socialpulse.services.connections_ports import Connector

from .bluesky_api import BlueskyConnector
from .http import CallPolicy, check_server
from .mastodon_api import MastodonConnector
from .youtube_api import YouTubeConnector


class _Kind(Protocol):
    def __call__(self, kind: ConnectionKind, creds: Credentials, policy: CallPolicy,
                 transport: httpx.BaseTransport | None = None) -> Connector: ...

    @staticmethod
    def default_server(kind: ConnectionKind) -> str | None: ...

    @staticmethod
    def secret_for(kind: ConnectionKind) -> str | None: ...


CONNECTORS: dict[Network, _Kind] = {
    Network.MASTODON: MastodonConnector,
    Network.BLUESKY: BlueskyConnector,
    Network.YOUTUBE: YouTubeConnector,
}


class ConnectorRegistry:
    """Opens connectors under one call policy (clock, sleep and jitter injected by tests)."""

    def __init__(self, policy: Callable[[], CallPolicy] = CallPolicy,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.policy = policy
        self.transport = transport

    def networks(self) -> list[Network]:
        return list(CONNECTORS)

    def server(self, network: Network, kind: ConnectionKind, given: str | None) -> str:
        """The server to call: the one given (checked), else the network's default."""
        if network not in CONNECTORS:
            raise ConnectorError(f"{NETWORK_LABELS[network]} cannot be connected yet; "
                                 f"connectable: {', '.join(n.value for n in CONNECTORS)}")
        what = "--instance" if network is Network.MASTODON else "--server"
        if given and given.strip():
            return check_server(given, what)
        default = CONNECTORS[network].default_server(kind)
        if default is None:
            raise ConnectorError(f"{what}: say which {NETWORK_LABELS[network]} server the "
                                 "account is on, e.g. https://mastodon.social")
        return default

    def secret_needed(self, network: Network, kind: ConnectionKind) -> str | None:
        """What credential this kind of connection needs ("access token"...), None: none;
        a kind the network cannot do is refused in words."""
        if network not in CONNECTORS:
            raise ConnectorError(f"{NETWORK_LABELS[network]} cannot be connected yet; "
                                 f"connectable: {', '.join(n.value for n in CONNECTORS)}")
        return CONNECTORS[network].secret_for(kind)

    def open(self, network: Network, kind: ConnectionKind, creds: Credentials) -> Connector:
        return CONNECTORS[network](kind, creds, self.policy(), self.transport)
