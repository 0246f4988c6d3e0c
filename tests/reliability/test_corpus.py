"""Every hostile file of the corpus, through `socialpulse import`, the upload API and the Import
page (its background job, as a browser without JavaScript follows it).

A refused file: exit 2 / 4xx, exactly one line naming the file, no traceback, and the data home
unchanged (every database row and every lake file compared before and after). An accepted file
(another encoding, a BOM, formula or HTML cells, a misleading extension) is imported, and its
text is stored verbatim: neutralised in CSV exports and escaped on pages, never run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.app import create_app
from socialpulse.settings import Settings
from tests.importers.test_hostile_values import X_OLD, home_state
from tests.importers.test_web import _wait_for
from tests.webfixtures import browser_client

from .corpus import CASES, FORMULA, MARKUP, Case, build_corpus

PERIOD = "2016-01-01..2026-10-31"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def base_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data home that already holds a real import (the 2016 X export)."""
    home = tmp_path_factory.mktemp("corpus-home") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOCIALPULSE_HOME", str(home))
        assert main(["import", str(X_OLD), "-q"]) == 0
    yield home


@pytest.fixture
def home(base_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    shutil.copytree(base_home, path)
    monkeypatch.setenv("SOCIALPULSE_HOME", str(path))
    return path


def _client(home: Path) -> TestClient:
    return TestClient(create_app(Settings(home=home)), base_url="http://127.0.0.1",
                      raise_server_exceptions=False)


def _check_stored(home: Path, case: Case) -> None:
    """The accepted file's text is in the posts as it was written, escaped on the Posts page and
    neutralised in the CSV export."""
    with _client(home) as c:
        posts = c.get("/api/workspaces/default/posts",
                      params={"period": PERIOD, "limit": 500}).json()["posts"]
        assert any(case.stored_text in (p["text"] or "") for p in posts), case.id
        if case.stored_text == FORMULA:
            csv_text = c.get("/api/workspaces/default/posts",
                             params={"period": PERIOD, "limit": 500, "format": "csv"}).text
            assert "'=HYPERLINK(" in csv_text and ',"=HYPERLINK(' not in csv_text
        if case.stored_text == MARKUP:
            page = c.get("/posts", params={"workspace": "default", "period": PERIOD,
                                           "search": "alert"}).text
            assert "<script>alert" not in page and "&lt;script&gt;alert" in page


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_import(case: Case, corpus: dict[str, Path], home: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    path = corpus[case.id]
    before = home_state(home)
    capsys.readouterr()
    rc = main(["import", str(path), "-q"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if case.expect == "refuse":
        assert rc == 2, (case.id, out[-500:], err[-500:])
        lines = err.strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"socialpulse: error: {path.name}: "), lines[0]
        assert home_state(home) == before, f"{case.id} changed the data home"
    else:
        assert rc == 0, (case.id, err[-500:])
        assert home_state(home) != before
        _check_stored(home, case)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_upload_api(case: Case, corpus: dict[str, Path], home: Path) -> None:
    path = corpus[case.id]
    with _client(home) as c:
        # the app's start may create the home's secret key; the request itself must not write
        before = home_state(home)
        r = c.post("/api/workspaces/default/imports",
                   files={"files": (path.name, path.read_bytes(), "application/octet-stream")})
    assert "Traceback" not in r.text
    if case.expect == "refuse":
        assert 400 <= r.status_code < 500, (case.id, r.status_code, r.text[:300])
        message = r.json()["error"]["message"]
        assert "\n" not in message and message.startswith(f"{path.name}: "), message
        assert home_state(home) == before, f"{case.id} changed the data home"
    else:
        assert r.status_code == 200, (case.id, r.text[:300])
        assert home_state(home) != before
        _check_stored(home, case)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_import_page(case: Case, corpus: dict[str, Path], home: Path) -> None:
    """The page answers 303 to its job, whose page ends in an error of one line naming the file
    (refused) or in a preview that writes when confirmed (accepted)."""
    import html

    path = corpus[case.id]
    with browser_client(create_app(Settings(home=home)), raise_server_exceptions=False) as c:
        before = home_state(home)  # after the app's start (it may create the secret key)
        r = c.post("/import?workspace=default", follow_redirects=False,
                   files={"files": (path.name, path.read_bytes(), "application/octet-stream")})
        assert r.status_code == 303, (case.id, r.status_code, r.text[-500:])
        job = r.headers["location"]
        page = _wait_for(c, job, ("previewed", "error"))
        assert "Traceback" not in page
        if case.expect == "refuse":
            assert 'data-import-state="error"' in page, (case.id, page[-1500:])
            shown = page.split("data-import-error>", 1)[1].split("</p>", 1)[0]
            message = html.unescape(shown).strip()
            assert "\n" not in message and message.startswith(f"{path.name}: "), message
            dump, files = home_state(home)
            job_rows = [ln for ln in dump if ln.startswith('INSERT INTO "jobs"')]
            assert len(job_rows) == 1 and "'failed'" in job_rows[0], job_rows
            # the one change: the queue's record of the refused job, which the page reads
            assert ([ln for ln in dump if ln not in job_rows], files) == before, \
                f"{case.id} changed the data home"
        else:
            assert 'data-import-state="previewed"' in page, (case.id, page[-1500:])
            r = c.post(job.replace("?", "/commit?"), follow_redirects=True)
            assert r.status_code == 200
            assert 'data-import-state="done"' in _wait_for(c, job, ("done", "error"))
            assert home_state(home) != before
