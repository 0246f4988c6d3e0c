"""Errors that users can act on.

Every error carries a one-line message that says what is wrong and where, so the CLI can print
it (exit 2) and the API can return it (4xx) without a traceback.
"""

from __future__ import annotations


class SocialPulseError(Exception):
    """Base of every error a user can fix by changing their input."""

    status_code: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(SocialPulseError):
    """A value given by the user (option, field, file) is malformed."""


class NotFound(SocialPulseError):
    """Something named by the user does not exist."""

    status_code = 404


class Conflict(SocialPulseError):
    """The request clashes with what is already stored."""

    status_code = 409


class TooLarge(SocialPulseError):
    """An upload or file is bigger than the configured limit."""

    status_code = 413


class CatalogueError(SocialPulseError):
    """A catalogue file shipped with (or added to) the package is invalid."""

    status_code = 500


class MissingData(SocialPulseError):
    """The data held cannot answer the question (no rows, or inputs the data lacks)."""

    status_code = 422


class Forbidden(SocialPulseError):
    """The acting user may not do this (see `socialpulse.domain.actor.authorize`)."""

    status_code = 403
