"""Interfaces: the CLI and the web app (JSON API and pages)."""
