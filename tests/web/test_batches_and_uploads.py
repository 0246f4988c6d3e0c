"""The batches API, the Remove button of the Workspace page's import history (real Chromium),
and uploads refused while they stream in (a real server and a raw socket)."""

from __future__ import annotations

import dataclasses
import json
import select
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App
from socialpulse.interfaces.web.app import create_app
from tests.webfixtures import PageLog, browser_client, serve_app


@pytest.fixture
def private_client(demo_app: App) -> Iterator[TestClient]:
    with browser_client(create_app(demo_app.settings), raise_server_exceptions=False) as c:
        yield c


def test_api_lists_and_removes_batches(private_client: TestClient, demo_app: App):
    ws = demo_app.workspace("demo")
    batches = demo_app.store.batches(ws.id)
    batch = next(b for b in batches if b.rows.get("posts"))
    r = private_client.get("/api/workspaces/demo/batches")
    assert r.status_code == 200, r.text
    assert [b["id"] for b in r.json()] == sorted((b.id for b in batches), reverse=True)
    listed = next(b for b in r.json() if b["id"] == batch.id)
    assert listed["state"] == "active" and listed["merged_into"] is None
    assert listed["rows"] == batch.rows and listed["source"] == batch.source
    posts = demo_app.lake.read(ws.id, "posts").num_rows
    r = private_client.delete(f"/api/workspaces/demo/batches/{batch.id}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["removed"] == [batch.id] and not body["already_removed"]
    assert body["rows"] == batch.rows
    # no reader sees its rows any more
    assert demo_app.lake.read(ws.id, "posts").num_rows == posts - batch.rows["posts"]
    again = private_client.delete(f"/api/workspaces/demo/batches/{batch.id}")
    assert again.status_code == 200 and again.json()["already_removed"]
    states = {b["id"]: b["state"] for b in private_client.get(
        "/api/workspaces/demo/batches").json()}
    assert states[batch.id] == "removed"


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/api/workspaces/demo/batches/999", 404, "import batch 999 not found in this workspace"),
    ("/api/workspaces/nope/batches/1", 404, "workspace 'nope' not found"),
])
def test_api_errors_are_one_line_json(private_client: TestClient, path, status, message):
    r = private_client.delete(path)
    assert r.status_code == status
    assert message in r.json()["error"]["message"]


def test_a_merged_batch_answers_409(private_client: TestClient, demo_app: App):
    ws = demo_app.workspace("demo")
    snaps = demo_app.lake.read(ws.id, "post_snapshots").slice(0, 10)
    demo_app.lake.ingest(ws.id, "later.csv", "t", {"post_snapshots": snaps.drop_columns(
        ["batch_id"]).append_column("batch_id", snaps["batch_id"])})
    first = demo_app.store.batches(ws.id)[0]
    assert demo_app.lake.compact(ws.id)
    r = private_client.delete(f"/api/workspaces/demo/batches/{first.id}")
    assert r.status_code == 409
    assert "cannot be split" in r.json()["error"]["message"]


def test_remove_button_with_confirmation(demo_app: App, page: Any, page_log: PageLog):
    ws = demo_app.workspace("demo")
    batch = demo_app.store.batches(ws.id)[0]
    with serve_app(create_app(demo_app.settings)) as server:
        page.goto(f"{server.url}/workspace?workspace=demo")
        row = page.locator(f'[data-batch="{batch.id}"]')
        confirm = row.locator(f'[data-confirm-remove="{batch.id}"]')
        assert not confirm.is_visible()  # nothing is removed by one stray click
        row.locator("summary").click()
        assert confirm.is_visible()
        confirm.click()
        page.wait_for_load_state()
        assert f"Removed batch {batch.id}" in page.locator("[data-saved]").inner_text()
        row = page.locator(f'[data-batch="{batch.id}"]')
        assert row.locator("td").nth(3).inner_text() == "removed"
        assert row.locator("summary").count() == 0  # a removed batch has no button
    assert batch.id not in {b.id for b in demo_app.store.batches(ws.id)}
    assert page_log.errors == []


# --- uploads over the limit ---------------------------------------------------------------

LIMIT = 256 * 1024


@pytest.fixture
def small_server(demo_app: App) -> Iterator[Any]:
    settings = dataclasses.replace(demo_app.settings, max_upload_bytes=LIMIT)
    with serve_app(create_app(settings)) as server:
        yield server


def _stream(url: str, path: str, total: int, chunk: int = 64 * 1024
            ) -> tuple[int, bytes, int]:
    """POST a multipart body of ``total`` bytes in chunks (no Content-Length: chunked) as a
    script would; stop sending once the server answers. Returns (status, body, bytes sent)."""
    host, port = url.removeprefix("http://").split(":")
    boundary = "b0undary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="huge.csv"\r\nContent-Type: text/csv\r\n\r\n').encode()
    sock = socket.create_connection((host, int(port)))
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
                  f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n").encode())
    sent = 0
    answered = False
    payload = head + b"x" * (chunk - len(head))
    try:
        while sent < total:
            sock.sendall(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            sent += len(payload)
            payload = b"x" * chunk
            if select.select([sock], [], [], 0)[0]:
                answered = True
                break
    except (BrokenPipeError, ConnectionResetError):
        answered = True
    assert answered, "the server read the whole oversized body"
    status, body = _response(sock)
    return status, body, sent


def _response(sock: socket.socket) -> tuple[int, bytes]:
    """Read one HTTP response (status and body, by its Content-Length) and close."""
    data = b""
    while b"\r\n\r\n" not in data or len(data) < _length(data):
        more = sock.recv(65536)
        if not more:
            break
        data += more
    sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def _length(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.decode("latin-1").split("\r\n"):
        if line.lower().startswith("content-length:"):
            return len(head) + 4 + int(line.split(":")[1])
    return len(data) + 1


def test_an_oversized_upload_is_refused_while_it_streams_in(small_server):
    total = 64 * 2**20  # 256 times the limit
    status, body, sent = _stream(small_server.url, "/api/workspaces/demo/imports", total)
    assert status == 413
    message = json.loads(body)["error"]["message"]
    assert message == ("upload: over the limit of 256 KB; import bigger files with the command "
                       "line (socialpulse import)")
    assert sent < total // 4  # it stopped reading long before the end


def test_a_declared_length_over_the_limit_is_refused_before_reading(small_server):
    host, port = small_server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall((f"POST /import?workspace=demo HTTP/1.1\r\nHost: {host}\r\n"
                  f"Content-Length: {10 * 2**30}\r\nContent-Type: multipart/form-data; "
                  "boundary=x\r\n\r\n").encode())  # 10 GB promised, nothing sent
    status, page = _response(sock)
    assert status == 413  # the Import page's error page, with the one line
    assert b"upload: over the limit of 256 KB; import bigger files with the command line" in page


def test_an_upload_under_the_limit_still_imports(demo_app: App):
    from tests.importers.conftest import SAMPLES

    x = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
    settings = dataclasses.replace(demo_app.settings, max_upload_bytes=LIMIT)
    assert x.stat().st_size < LIMIT
    with browser_client(create_app(settings), raise_server_exceptions=False) as client:
        r = client.post("/api/workspaces/demo/imports",
                        files={"files": (x.name, x.read_bytes(), "text/csv")})
    assert r.status_code == 200, r.text
    assert r.json()["written"]["posts"] > 0


@pytest.mark.parametrize(("value", "expected"), [
    ("0.25", 256 * 1024), ("", 200 * 2**20), ("abc", None), ("0", None), ("-5", None),
    ("nan", None), ("inf", None),
])
def test_the_upload_limit_setting(monkeypatch: pytest.MonkeyPatch, tmp_path, value, expected):
    from socialpulse.domain.errors import InvalidInput
    from socialpulse.settings import Settings

    monkeypatch.setenv("SOCIALPULSE_MAX_UPLOAD_MB", value)
    if expected is None:
        with pytest.raises(InvalidInput, match=f"^SOCIALPULSE_MAX_UPLOAD_MB: '{value}' is not a "
                                               "size in MB such as 200$"):
            Settings.from_env(home=tmp_path)
    else:
        assert Settings.from_env(home=tmp_path).max_upload_bytes == expected
