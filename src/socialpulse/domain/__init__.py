"""The pure core: no I/O, no clock, no environment, no web/database/CLI imports.

Everything here is deterministic given its arguments, so it can be tested with plain values
and reused by every interface. ``tests/test_boundaries.py`` enforces the rule.
"""
