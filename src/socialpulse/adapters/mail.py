"""Sending e-mail with the standard library's smtplib.

Settings come from the environment at the edge: ``SOCIALPULSE_SMTP_URL`` (``smtp://[user:
password@]host[:port]`` with STARTTLS when the server offers it, ``smtp+plain://`` without,
``smtps://`` for TLS from the first byte; port 587, 25 and 465 by default) and
``SOCIALPULSE_MAIL_FROM`` (the sender; default ``socialpulse@HOST``). Where only the older
``SOCIALPULSE_SMTP_HOST`` family is set (scheduled reports), it is used as is. The password
is never logged, printed or shown in an error.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from socialpulse.domain.errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_SCHEMES = {"smtp": (587, "starttls"), "smtp+plain": (25, "plain"), "smtps": (465, "tls")}


class MailNotSent(InvalidInput):
    """The server refused or could not be reached; the message names the server, never the
    password."""


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    security: str  # starttls | plain | tls
    sender: str
    user: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never show the password, even in a debugger or a log
        return (f"Mailer(host={self.host!r}, port={self.port}, security={self.security!r}, "
                f"sender={self.sender!r}, user={self.user!r})")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Mailer | None:
        """The mailer the environment describes, None when it names no server."""
        url = (env.get("SOCIALPULSE_SMTP_URL") or "").strip()
        if url:
            return cls._from_url(url, env)
        host = (env.get("SOCIALPULSE_SMTP_HOST") or "").strip()
        if not host:
            return None
        port_text = (env.get("SOCIALPULSE_SMTP_PORT") or "587").strip()
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            raise InvalidInput(f"SOCIALPULSE_SMTP_PORT: {port_text!r} is not a port number")
        tls = (env.get("SOCIALPULSE_SMTP_STARTTLS") or "").strip().lower()
        plain = tls in ("0", "false", "no") or (not tls and int(port_text) == 25)
        return cls(host, int(port_text), "plain" if plain else "starttls",
                   _sender(env, host), env.get("SOCIALPULSE_SMTP_USER") or None,
                   env.get("SOCIALPULSE_SMTP_PASSWORD") or None)

    @classmethod
    def _from_url(cls, url: str, env: Mapping[str, str]) -> Mailer:
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES or not parts.hostname:
            raise InvalidInput("SOCIALPULSE_SMTP_URL: expected smtp://host:port (or "
                               "smtps://, smtp+plain://), optionally with user:password@")
        default_port, security = _SCHEMES[parts.scheme]
        try:
            port = parts.port or default_port
        except ValueError:
            raise InvalidInput("SOCIALPULSE_SMTP_URL: the port is not a number from 1 to "
                               "65535") from None
        return cls(parts.hostname, port, security, _sender(env, parts.hostname),
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)

    def send(self, to: Sequence[str], subject: str, text: str, html: str | None = None) -> None:
        """Send one message to ``to``; `MailNotSent` names the server when it fails."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(to)
        msg["Subject"] = subject.replace("\n", " ")[:200]
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
        try:
            if self.security == "tls":
                with smtplib.SMTP_SSL(self.host, self.port, timeout=30,
                                      context=ssl.create_default_context()) as s:
                    self._deliver(s, msg)
            else:
                with smtplib.SMTP(self.host, self.port, timeout=30) as s:
                    if self.security == "starttls" and s.has_extn("starttls"):
                        s.starttls(context=ssl.create_default_context())
                    self._deliver(s, msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailNotSent(f"SMTP {self.host}:{self.port}: could not send "
                              f"({type(exc).__name__})") from None

    def _deliver(self, s: smtplib.SMTP, msg: EmailMessage) -> None:
        if self.user:
            s.login(self.user, self.password or "")
        s.send_message(msg)


def _sender(env: Mapping[str, str], host: str) -> str:
    sender = (env.get("SOCIALPULSE_MAIL_FROM") or env.get("SOCIALPULSE_SMTP_FROM")
              or f"socialpulse@{host}").strip()
    if not _EMAIL.match(sender):
        raise InvalidInput(f"SOCIALPULSE_MAIL_FROM: {sender!r} is not an e-mail address")
    return sender
