"""Fixtures for the data-completeness tests: the importer tests' home, workspace and helpers."""

from tests.core.test_spark import spark_backend  # noqa: F401
from tests.importers.conftest import home, ws  # noqa: F401
