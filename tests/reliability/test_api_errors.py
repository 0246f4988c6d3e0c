"""Bad input to the API answers a one-line 4xx, never a 500 (issue 11, item 3).

Each case here was a 500 found by an attack run: JSON nested 100,000 deep, goal bodies of the
wrong types or sizes, ids beyond 64 bits or written in Unicode digits, a file name of "..".
"""

from __future__ import annotations

import http.client
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from socialpulse.domain.errors import InvalidInput
from socialpulse.interfaces.web.common import MAX_JSON_DEPTH, json_depth, parse_json_object
from tests.webfixtures import serve_app

from .conftest import TODAY, one_line_error

#: What each path parameter is filled with: the demo's workspace, a goal that exists...
PATH_VALUES = {"slug": "demo", "metric_id": "engagement_rate", "assessment": "latest"}


def _routes(app: FastAPI, methods: set[str]) -> list[tuple[str, str]]:
    """(method, path) of every API operation in the OpenAPI schema with one of ``methods``,
    its path parameters filled in."""
    out = []
    for template, ops in app.openapi()["paths"].items():
        for m in sorted({m.upper() for m in ops} & methods):
            path = re.sub(r"\{(\w+)\}", lambda g: PATH_VALUES.get(g[1], "1"), template)
            out.append((m, path))
    return out


def test_deeply_nested_json_is_a_400_on_every_endpoint_with_a_body(
        api: TestClient, demo_web: FastAPI) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    routes = _routes(demo_web, {"POST", "PATCH", "PUT", "DELETE"})
    assert len(routes) >= 6
    for method, path in routes:
        r = api.request(method, path, content=deep, headers={"Content-Type": "application/json"})
        assert r.status_code < 500, (method, path, r.text[:200])
        if r.status_code >= 400:  # some routes read no body (archive) and answer 200
            one_line_error(r)


def test_json_bodies_are_bounded_in_depth_and_size_and_finite() -> None:
    assert json_depth(b'{"a": "[[[[{{{{", "b": [[1]]}') == 3  # brackets inside strings skipped
    assert parse_json_object(b"") == {}
    at_limit = b'{"a": ' + b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1) + b"}"
    assert json_depth(at_limit) == MAX_JSON_DEPTH and "a" in parse_json_object(at_limit)
    too_deep = b'{"a": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}"
    for bad, words in [(too_deep, "nested more than"), (b'{"a": NaN}', "NaN"),
                       (b'{"a": Infinity}', "Infinity"), (b'{"a": ' + b"9" * 5000 + b"}", "JSON"),
                       (b"\xff\xfe{", "UTF-8"), (b"[1]", "JSON object"),
                       (b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}', "larger than")]:
        with pytest.raises(InvalidInput, match=words):
            parse_json_object(bad)


@pytest.mark.parametrize(("body", "field"), [
    ({"metric": 5}, "metric"),
    ({"template": ["a"]}, "template"),
    ({"metric": "reach", "target_change_pct": 1e308}, "target_change_pct"),
    ({"metric": "reach", "target_value": -1e300}, "target_value"),
    ({"metric": "reach", "target_value": "12000"}, "target_value"),
    ({"metric": "reach", "target_change_pct": True}, "target_change_pct"),
    ({"metric": "reach", "deadline": 20270101}, "deadline"),
    ({"metric": "reach", "networks": [1, 2]}, "networks"),
    ({"metric": "reach", "accounts": [{"id": 1}]}, "accounts"),
    ({"metric": "reach", "milestones": {"due": "2027-01-01"}}, "milestones"),
    ({"metric": "reach", "milestones": [5]}, "milestones[1]"),
    ({"metric": "reach", "milestones": [{"due": ["x"], "target_value": 1}]}, "milestones[1].due"),
    ({"metric": "reach", "milestones": [{"due": "2027-01-01", "target_change_pct": 1e308}]},
     "milestones[1].target_change_pct"),
    ({"metric": "reach", "accounts": ["\u00b9"], "target_change_pct": 10,
      "deadline": "2027-03-31"}, "accounts"),
])
def test_goal_bodies_of_the_wrong_type_are_a_400_naming_the_field(
        api: TestClient, body: dict[str, Any], field: str) -> None:
    r = api.post(f"/api/workspaces/demo/goals?today={TODAY}", json=body)
    assert field in one_line_error(r, 400)


def test_okr_key_results_and_revisions_get_the_same_checks(api: TestClient) -> None:
    r = api.post(f"/api/workspaces/demo/okrs?today={TODAY}", json={
        "title": "T", "deadline": "2027-03-31",
        "key_results": [{"metric": ["reach"]}, {"milestone": "a"}, {"milestone": "b"}]})
    assert "metric" in one_line_error(r, 400)
    made = api.post(f"/api/workspaces/demo/goals?today={TODAY}", json={
        "template": "brand_awareness:reach", "deadline": "2027-03-31"})
    assert made.status_code == 201, made.text
    gid = made.json()["id"]
    r = api.patch(f"/api/workspaces/demo/goals/{gid}?today={TODAY}",
                  json={"target_change_pct": float("1e308")})
    assert "target_change_pct" in one_line_error(r, 400)


@pytest.mark.parametrize("bad", ["99999999999999999999", "9223372036854775808", "\u00b9",
                                 "\u0663", "-1", "1.5", "0x10"])
def test_path_ids_out_of_range_or_not_ascii_digits_are_a_400(
        api: TestClient, demo_web: FastAPI, bad: str) -> None:
    with_ids = [(m, p) for m, p in _routes(demo_web, {"GET", "POST", "PATCH", "DELETE"})
                if "/1" in p.replace("/api/workspaces/demo", "")]
    assert len(with_ids) >= 5
    for method, path in with_ids:
        # replace the id (the filled "1" after the workspace) by the bad one
        head, _, tail = path.partition("/demo/")
        tail = re.sub(r"(^|/)1(/|$)", lambda g: f"{g[1]}{bad}{g[2]}", tail, count=1)
        r = api.request(method, f"{head}/demo/{tail}", json={})
        assert r.status_code in (400, 404, 405), (method, path, r.status_code, r.text[:200])
        if r.status_code == 400:
            one_line_error(r)
    r = api.get(f"/api/workspaces/demo/goals/{bad}")
    assert "goal_id" in one_line_error(r, 400)


def test_query_ids_in_unicode_digits_are_a_400(api: TestClient) -> None:
    r = api.get("/api/workspaces/demo/maturity/assessments/\u00b9")
    assert "assessment" in one_line_error(r, 400)
    page = api.get("/maturity/results?id=\u00b2")
    assert page.status_code == 400 and "id:" in page.text


@pytest.mark.parametrize("name", ["..", ".", "../../etc/passwd", "a/b.csv", "a\\b.csv", "x\x00y"])
def test_listening_ingest_file_names_must_be_plain(api: TestClient, name: str) -> None:
    r = api.post("/api/workspaces/demo/listening/ingest", params={"filename": name},
                 content=b'{"text": "hi"}\n', headers={"Content-Type": "application/json"})
    assert "filename" in one_line_error(r, 400)


def test_a_500_leaves_the_keep_alive_connection_usable(demo_web: FastAPI) -> None:
    """A route that fails unexpectedly answers 500 and the same connection serves the next
    request (Starlette's catch-all handler re-raised and uvicorn closed the connection)."""

    def fails() -> None:
        raise RuntimeError("a bug")

    demo_web.add_api_route("/api/test-only-failure", fails, methods=["GET"])
    with serve_app(demo_web) as server:
        host, port = server.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", "/api/test-only-failure")
        first = conn.getresponse()
        body = first.read().decode()
        sock = conn.sock
        assert first.status == 500 and "internal error (RuntimeError)" in body
        assert "a bug" not in body and "Traceback" not in body
        assert first.getheader("Content-Security-Policy")  # the headers middleware ran
        conn.request("GET", "/api/workspaces")
        second = conn.getresponse()
        assert second.status == 200 and b"demo" in second.read()
        assert conn.sock is sock  # the same connection, not a new one
        conn.close()


@pytest.mark.parametrize(("path", "field"), [
    ("/api/workspaces/demo/audit/baselines?run=99999999999999999999", "run"),
    ("/api/workspaces/demo/audit/baselines?run=%C2%B9", "run"),
    ("/api/workspaces/demo/posts?offset=1000000000000000000000000000000", "offset"),
    ("/api/workspaces/demo/posts?offset=9223372036854775808", "offset"),
])
def test_query_numbers_beyond_64_bits_are_a_400(api: TestClient, path: str, field: str) -> None:
    """Found by scripts/fuzz_api.py: both reached the database or DuckDB's LIMIT as 500s."""
    assert field in one_line_error(api.get(path), 400)


def test_unicode_digits_in_other_numbers_are_not_500s(api: TestClient) -> None:
    """"²".isdigit() is true but int("²") fails: every number read from text checks ASCII."""
    r = api.post("/api/workspaces/demo/imports", data={"year": "\u00b2"},
                 files={"files": ("a.csv", b"x,y\n1,2\n", "text/csv")})
    assert "year" in one_line_error(r, 400)
    # pages last: they give the client a browser's CSRF cookie, which POSTs would then need
    assert api.get("/workspace?workspace=demo&removed=%C2%B2").status_code == 200
    assert api.get("/listening?workspace=demo&days=%C2%B2").status_code == 400
    assert api.get("/maturity/assess?workspace=demo&step=%C2%B2").status_code == 400


def test_an_smtp_port_in_unicode_digits_is_a_one_line_error() -> None:
    from socialpulse.services.report_schedules import SmtpConfig

    with pytest.raises(InvalidInput, match="SOCIALPULSE_SMTP_PORT"):
        SmtpConfig.from_env({"SOCIALPULSE_SMTP_HOST": "127.0.0.1",
                             "SOCIALPULSE_SMTP_PORT": "\u00b2"})
