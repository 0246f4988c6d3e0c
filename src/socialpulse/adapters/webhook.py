"""Posting an alert to a chat webhook: Slack and Microsoft Teams incoming webhooks both accept
``{"text": "..."}`` (Teams renders it as Markdown, Slack as mrkdwn), so one body serves both.

Any 2xx is delivered; 429 and 5xx are a failed try the job repeats after its backoff; another
4xx (a revoked or mistyped webhook) says so. The address is shown without its path, which
holds the webhook's secret.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from socialpulse.domain.errors import InvalidInput

TIMEOUT_S = 15.0


class WebhookNotDelivered(InvalidInput):
    """The webhook did not take the message."""


def check_webhook_url(url: str, where: str = "webhook") -> str:
    """An http(s) address, or one error line naming ``where``."""
    u = url.strip()
    parts = urlsplit(u)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(f"{where}: {url[:60]!r} is not an https:// address")
    return u


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


class WebhookPoster:
    """Posts ``{"text": ...}`` to a webhook address."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._client = client

    def post(self, url: str, text: str) -> None:
        client = self._client or httpx.Client(follow_redirects=False)
        try:
            resp = client.post(url, json={"text": text}, timeout=TIMEOUT_S)
        except httpx.HTTPError as exc:
            raise WebhookNotDelivered(f"webhook {_host(url)}: could not reach it "
                                      f"({type(exc).__name__})") from None
        finally:
            if self._client is None:
                client.close()
        if not 200 <= resp.status_code < 300:
            raise WebhookNotDelivered(f"webhook {_host(url)}: answered HTTP "
                                      f"{resp.status_code}")
