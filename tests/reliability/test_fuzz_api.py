"""Property-based fuzz of the whole JSON API over the demo workspace: zero 5xx, no tracebacks.

The same `fuzz` as ``scripts/fuzz_api.py`` (which runs longer, against a live server on
127.0.0.1), at a size that fits CI: a few examples per operation, valid and invalid, with a
fixed seed so that a failure is reproducible.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fuzz_api.py"
#: Examples per operation and generation mode in CI (the script defaults to 100).
EXAMPLES = 5


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_api", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_documented_body_fields_become_a_fuzzed_body() -> None:
    fz = _script()
    assert fz.body_fields("Create: ``{title, kind?, deadline, key_results: [{template} | "
                          "{metric}]}`` (3 to 5).") == ["deadline", "key_results", "kind",
                                                         "title"]
    schema = fz.with_bodies({"paths": {"/x": {"post": {"description": "``{a, b?}``"},
                                              "get": {}}}})
    body = schema["paths"]["/x"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["properties"] == {"a": {}, "b": {}}
    assert "requestBody" not in schema["paths"]["/x"]["get"]


def test_no_operation_answers_5xx(demo_web: FastAPI, api: TestClient) -> None:
    fz = _script()

    def send(req: dict[str, Any]) -> tuple[int, str]:
        r = api.request(**req)
        return r.status_code, r.text

    openapi = demo_web.openapi()
    assert len(openapi["paths"]) >= 40
    problems = fz.fuzz(openapi, send, EXAMPLES)
    assert problems == [], "\n".join(p.line() for p in problems)
