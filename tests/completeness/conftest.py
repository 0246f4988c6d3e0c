"""Fixtures for the data-completeness tests: the importer tests' home, workspace and helpers."""

from tests.importers.conftest import home, ws  # noqa: F401
