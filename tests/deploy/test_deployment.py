"""The production setup of docs/DEPLOY.md, run as documented: its commands on a real PostgreSQL
(`tests/pgserver.py`) and a data home in a folder standing for the shared volume; the owner
sets a password through the one-time link as the TLS proxy forwards it; a web import is run by
the separate worker process while two server processes answer. And the Dockerfile, compose
file and systemd units run exactly the documented commands.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text

from tests.docs import doctool
from tests.docs.doctool import ROOT

DOC = ROOT / "docs" / "DEPLOY.md"
BIN = Path(sys.executable).parent
SAMPLES = ROOT / "tests" / "data" / "samples"
PASSWORD = "a long passphrase for the owner"  # noqa: S105 - the test's
PROXY = {"Host": "analytics.example.org", "X-Forwarded-Proto": "https",
         "X-Forwarded-For": "203.0.113.7"}
DEADLINE_S = 180


def documented() -> dict[str, str]:
    """The commands of "The commands", by subcommand (init, users, workspaces, serve, worker)."""
    names = ("init", "serve", "users", "worker", "workspaces")
    commands = [c.text for c in doctool.parse(DOC)]
    by_name = {shlex.split(c)[1]: c for c in commands if shlex.split(c)[1] in names}
    assert sorted(by_name) == list(names), commands
    return by_name


# --- the files that package the same commands ---------------------------------------------


def test_dockerfile_compose_and_units_run_the_documented_commands() -> None:
    docs = {k: shlex.split(v) for k, v in documented().items()}
    assert "--workers" in docs["serve"] and docs["serve"][2:4] == ["--host", "0.0.0.0"]

    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M)
    assert cmd is not None and json.loads(cmd.group(1)) == docs["serve"]

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    assert compose["init"]["command"] == docs["init"]
    assert compose["web"]["command"] == docs["serve"]
    assert compose["worker"]["command"] == docs["worker"]
    web, worker = compose["web"], compose["worker"]
    assert web["environment"] == worker["environment"]  # one configuration for both
    assert web["volumes"] == worker["volumes"] == ["home:/srv/socialpulse"]  # the shared home
    assert web["environment"]["SOCIALPULSE_HOME"] == "/srv/socialpulse"
    assert web["environment"]["SOCIALPULSE_DATABASE_URL"].startswith("postgresql://")
    assert web["ports"] == ["127.0.0.1:8000:8000"]  # only the host's proxy reaches it

    doc_text = DOC.read_text()
    for unit, name in (("socialpulse-web.service", "serve"),
                       ("socialpulse-worker.service", "worker")):
        content = (ROOT / "deploy" / "systemd" / unit).read_text()
        start = re.search(r"^ExecStart=(.*)$", content, re.M)
        assert start is not None
        argv = shlex.split(start.group(1))
        assert Path(argv[0]).name == "socialpulse" and argv[1:] == docs[name][1:], unit
        assert "EnvironmentFile=/etc/socialpulse/env" in content
    web_unit = (ROOT / "deploy" / "systemd" / "socialpulse-web.service").read_text()
    assert web_unit.split("\n", 1)[1] in doc_text  # the doc shows the unit as shipped
    for example in ("Caddyfile", "nginx.conf"):
        body = (ROOT / "deploy" / example).read_text()
        shipped = "\n".join(line for line in body.splitlines() if not line.startswith("#"))
        assert shipped.strip() in doc_text, example


# --- the real thing -----------------------------------------------------------------------


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


@pytest.fixture
def fresh_database(pg_url: str) -> Iterator[str]:
    """A database of its own on the test cluster: the deployment starts with no users."""
    name = f"deploy_{uuid.uuid4().hex[:10]}"
    base = pg_url.rsplit("/", 1)[0]
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    yield f"{base}/{name}"
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


class Running:
    """The deployment's long-running processes, stopped as systemd stops them (SIGTERM)."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[str]] = []

    def start(self, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[str]:
        proc = subprocess.Popen(argv, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, page[-1500:]
    return found.group(1)


def _state(page: str) -> str:
    found = re.search(r'data-import-state="([a-z]+)"', page)
    assert found is not None, page[-1500:]
    return found.group(1)


def _until(client: httpx.Client, url: str, states: set[str]) -> str:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        page = client.get(url).text
        if _state(page) in states:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{url} never reached {states}: {_state(page)}")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.postgres
def test_the_documented_deployment_runs_on_postgresql(fresh_database: str,
                                                       tmp_path: Path) -> None:
    docs = documented()
    volume = tmp_path / "shared-volume"  # what web and worker mount
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALPULSE_")}
    env.update(SOCIALPULSE_HOME=str(volume / "socialpulse"),
               SOCIALPULSE_DATABASE_URL=fresh_database,
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    env.pop("FORWARDED_ALLOW_IPS", None)

    def run(command: str) -> str:
        done = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True,
                              timeout=DEADLINE_S, check=False)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        return done.stdout

    run(docs["init"])
    link = re.search(r"https://analytics\.example\.org(/\S+)", run(docs["users"]))
    assert link is not None
    run(docs["workspaces"])

    port = _free_port()
    serve = shlex.split(docs["serve"].replace("--port 8000", f"--port {port}"))
    assert f"--port {port}" in shlex.join(serve)
    running = Running()
    try:
        server = running.start(serve, env, tmp_path / "serve.log")
        running.start(shlex.split(docs["worker"]), env, tmp_path / "worker.log")
        _wait_for(port, server, tmp_path / "serve.log")
        _exercise(f"http://127.0.0.1:{port}", link.group(1))
        assert len(_children(server.pid)) >= 2  # two server processes (and uvicorn's tracker)
    finally:
        running.stop()
    worker_log = (tmp_path / "worker.log").read_text()
    assert re.search(r"job \d+ \(import, acme: .*\): done: wrote .* as batch \d+", worker_log), \
        worker_log
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


def _wait_for(port: str, server: subprocess.Popen[str], log: Path) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/signin", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the server did not answer: {log.read_text()}")


def _exercise(base: str, link_path: str) -> None:
    """What a team does first, as the proxy forwards it: the owner sets a password through
    the link, then imports a file through the page; the worker writes it."""
    with httpx.Client(base_url=base, headers=PROXY, timeout=60) as proxied:
        page = proxied.get(link_path)
        assert page.status_code == 200 and page.headers["strict-transport-security"]
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        # the CSRF cookie is Secure now: sent by hand (the proxy's side of the hop is http)
        jar = page.headers["set-cookie"].split(";", 1)[0]
        assert jar.startswith("__Host-")
        done = proxied.post(link_path, data={"csrf_token": _csrf(page.text),
                                             "password": PASSWORD, "password2": PASSWORD},
                            headers={"Cookie": jar}, follow_redirects=False)
        assert done.status_code == 303, done.text
        cookie = done.headers["set-cookie"]
        assert cookie.startswith("__Host-") and "Secure" in cookie and "HttpOnly" in cookie

    # then over the plain address (as from the proxy's machine), signing in with the password:
    # with two server processes, the form's token is checked by whichever answers the POST
    with httpx.Client(base_url=base, timeout=60) as c:
        assert c.get("/api/workspaces").status_code == 401
        signin = c.get("/signin")
        resp = c.post("/signin", data={"csrf_token": _csrf(signin.text), "login": "olga",
                                       "password": PASSWORD, "next": "/"},
                      follow_redirects=False)
        assert resp.status_code == 303, resp.text
        for _ in range(6):  # several requests: both processes see the session
            assert [w["slug"] for w in c.get("/api/workspaces").json()] == ["acme"]
        _import_through_the_worker(c)


def _import_through_the_worker(c: httpx.Client) -> None:
    form = c.get("/import?workspace=acme")
    files: list[tuple[str, Any]] = [("csrf_token", (None, _csrf(form.text)))]
    files += [("files", (p.name, p.read_bytes(), "text/csv"))
              for p in sorted((SAMPLES / "tiktok").glob("*.csv"))]
    posted = c.post("/import?workspace=acme", files=files, follow_redirects=False)
    assert posted.status_code == 303, posted.text
    job_url = posted.headers["location"]
    page = _until(c, job_url, {"previewed", "error"})
    assert _state(page) == "previewed", page[-2000:]
    commit = c.post(urlsplit(job_url).path + "/commit?" + urlsplit(job_url).query,
                    data={"csrf_token": _csrf(page)}, follow_redirects=False)
    assert commit.status_code == 303, commit.text
    page = _until(c, job_url, {"done", "error"})
    assert _state(page) == "done" and "13 posts" in page
    activity = c.get("/api/workspaces/acme/activity?limit=200").json()
    assert any(e["subject"] == "import" and e["change"] == "created" for e in activity), \
        activity[:3]
