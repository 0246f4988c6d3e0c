"""Every command the README and docs show runs here, as a user would, and prints what they say.

Each doc is one shell session in a fresh home (``$HOME/.local/share/socialpulse``, the default
a new user has) holding the demo workspace built by ``socialpulse demo --no-serve --until
2026-10-31`` (once, then restored for each doc), in a working folder where ``docs/``,
``tests/`` (the sample exports), ``scripts/`` and ``bench/`` are where a clone has them.
Commands of one doc run in order and share that home, so a doc can add a goal and then check
in on it. ``socialpulse serve`` starts the real server (on a free port, shown as the doc's
port), and ``curl`` examples are answered by it.

How the comparison reads ``...``, comments and JSON answers: see tests/docs/doctool.py.
``DOCS_UPDATE=1 pytest tests/docs`` rewrites outputs from real runs (review the diff).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from socialpulse.interfaces.cli import main
from tests.docs import doctool
from tests.docs.doctool import ROOT, Command

UPDATE = os.environ.get("DOCS_UPDATE") == "1"
BIN = Path(sys.executable).parent

#: Commands whose output is a measurement of this machine (seconds, ratios): they are run on
#: small data by the named test instead, which checks that they work and agree.
COVERED_ELSEWHERE = {
    ".venv/bin/python bench/bench_import.py": "tests/core/test_bench_smoke.py::"
                                              "test_import_benchmark_small",
}
#: docs/DEPLOY.md's production commands need a PostgreSQL server, an empty home and processes
#: that run until stopped: the deployment test runs each of them as shown, in order.
COVERED_ELSEWHERE.update(dict.fromkeys([
    "socialpulse init",
    'socialpulse users add olga --name "Olga Owner" --email olga@example.org --link '
    "--url https://analytics.example.org",
    'socialpulse workspaces add acme --name "Acme Outdoor"',
    "socialpulse serve --host 0.0.0.0 --port 8000 --workers 2 --no-worker --allowed-host "
    "analytics.example.org",
    "socialpulse worker",
], "tests/deploy/test_deployment.py::test_the_documented_deployment_runs_on_postgresql"))

#: docs/connections.md talks to Mastodon and Bluesky: its commands run, in order and as shown,
#: against local fakes of both networks in the connectors' doc test.
COVERED_ELSEWHERE.update(dict.fromkeys(
    [c.text for c in doctool.parse(ROOT / "docs" / "connections.md")],
    "tests/connectors/test_docs_commands.py::test_connections_doc_runs_against_the_fakes"))
#: docs/publishing.md publishes to Mastodon and Bluesky: the same, in publishing's doc test.
COVERED_ELSEWHERE.update(dict.fromkeys(
    [c.text for c in doctool.parse(ROOT / "docs" / "publishing.md")],
    "tests/publishing/test_docs_commands.py::test_publishing_doc_runs_against_the_fakes"))

_SHELL = re.compile(r"[|&;<>`$]|\*")


@dataclass
class Session:
    """The home, working folder and server of one doc's commands."""

    home_dir: Path
    work: Path
    env: dict[str, str]
    last_rc: int = 0
    ports: dict[str, str] = field(default_factory=dict)
    servers: list[subprocess.Popen[str]] = field(default_factory=list)

    def close(self) -> None:
        for proc in self.servers:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


@pytest.fixture(scope="session")
def docs_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """($HOME, a pristine copy of its data home): the demo built once by the real command.

    Every doc starts from that copy restored to the same path, so what the demo stores with
    its path (the scheduled report's folder) reads as it does for a user.
    """
    home_dir = tmp_path_factory.mktemp("docs-user")
    data = home_dir / ".local" / "share" / "socialpulse"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SOCIALPULSE_") and k not in ("XDG_DATA_HOME", "HOME")}
    subprocess.run([str(BIN / "socialpulse"), "demo", "--no-serve", "--until", "2026-10-31"],
                   env={**env, "HOME": str(home_dir)}, check=True, capture_output=True,
                   timeout=900)
    pristine = tmp_path_factory.mktemp("docs-pristine") / "socialpulse"
    shutil.copytree(data, pristine)
    yield home_dir, pristine


@pytest.fixture
def session(docs_home: tuple[Path, Path], tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    home_dir, pristine = docs_home
    data = home_dir / ".local" / "share" / "socialpulse"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(pristine, data)
    work = tmp_path / "work"
    work.mkdir()
    for name in ("docs", "tests", "scripts", "bench", ".venv"):
        if (ROOT / name).exists():
            (work / name).symlink_to(ROOT / name)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SOCIALPULSE_") and k not in ("XDG_DATA_HOME", "HOME")}
    env.update(HOME=str(home_dir), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               COLUMNS="100", PYTHONPATH=str(ROOT))
    for key in [k for k in os.environ if k.startswith("SOCIALPULSE_") or k == "XDG_DATA_HOME"]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(home_dir))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(work)
    s = Session(home_dir, work, env)
    yield s
    s.close()


def _in_process(text: str) -> list[str] | None:
    """``socialpulse ARGS`` with no shell syntax runs through the CLI's own entry point."""
    if not text.startswith("socialpulse ") or _SHELL.search(text.replace("'#", "'")):
        return None
    return shlex.split(text)[1:]


def _with_ports(text: str, s: Session) -> str:
    for shown, real in s.ports.items():
        text = text.replace(f"127.0.0.1:{shown}", f"127.0.0.1:{real}")
    return text


def _serve(cmd: Command, s: Session) -> list[str]:
    """Start the real server the doc shows, on a free port; its first line is the output."""
    args = shlex.split(cmd.text)[1:]
    shown = args[args.index("--port") + 1] if "--port" in args else "8000"
    real = _free_port()
    if "--port" in args:
        args[args.index("--port") + 1] = real
    else:
        args += ["--port", real]
    proc = subprocess.Popen([str(BIN / "socialpulse"), *args], cwd=s.work, env=s.env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    s.servers.append(proc)
    s.ports[shown] = real
    first = proc.stdout.readline() if proc.stdout else ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # ready when it answers
        try:
            with socket.create_connection(("127.0.0.1", int(real)), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    return [first.rstrip("\n").replace(real, shown)]


def run(cmd: Command, s: Session, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Run one doc command as a user would; (exit code, printed lines)."""
    text = cmd.text
    if text.startswith("socialpulse serve"):
        return 0, _serve(cmd, s)
    argv = _in_process(text)
    if argv is not None:
        capsys.readouterr()
        rc = main(argv)
        captured = capsys.readouterr()
        output = captured.out + captured.err
    else:
        proc = subprocess.run(["bash", "-c", f"(exit {s.last_rc}); {_with_ports(text, s)}"],
                              cwd=s.work, env=s.env, capture_output=True, text=True,
                              timeout=600, check=False)
        rc = proc.returncode
        output = proc.stdout + proc.stderr
    s.last_rc = rc
    for shown, real in s.ports.items():
        output = output.replace(f"127.0.0.1:{real}", f"127.0.0.1:{shown}")
    output = output.replace(str(s.work) + "/", "").replace(str(s.home_dir), "~")
    lines = output.rstrip("\n").split("\n") if output.strip() else []
    return rc, [line.rstrip() for line in lines]


def _check(cmd: Command, rc: int, lines: list[str]) -> tuple[str | None, list[str] | None]:
    """A mismatch message (or None) and, for DOCS_UPDATE, the doc lines to write.

    A command the doc shows without output is checked for its exit code only.
    """
    shows_error = any("error:" in e for e in cmd.expected)
    if cmd.json is not None:
        try:
            real = json.loads("\n".join(lines))
        except json.JSONDecodeError:
            return f"answer is not JSON: {lines[:3]}", None
        try:
            shown = json.loads(cmd.json.text)
        except json.JSONDecodeError as exc:
            return f"the doc's JSON block does not parse ({exc})", None
        if doctool.is_subset(shown, real):
            return None, None
        return "JSON differs from the real answer", doctool.dump(
            doctool.project(real, shown)).split("\n")
    if cmd.expected and not doctool.matches(cmd.expected, lines):
        return "output differs", doctool.shortened(lines, cmd.expected)
    if cmd.text.startswith("socialpulse ") and (rc == 2) != shows_error and rc not in (0, 2):
        return f"exit code {rc}", None
    if cmd.text.startswith("socialpulse ") and not shows_error and rc != 0 \
            and "|" not in cmd.text:
        return f"exit code {rc} for a command the doc shows succeeding", None
    if shows_error and rc != 2 and cmd.text.startswith("socialpulse "):
        return f"exit code {rc} for an error example (expected 2)", None
    return None, None


DOCS = [d for d in doctool.docs() if doctool.parse(d)]


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_doc_commands_print_what_the_doc_shows(doc: Path, session: Session,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    failures: list[str] = []
    replacements: list[tuple[int, int, list[str]]] = []
    for cmd in doctool.parse(doc):
        if cmd.text in COVERED_ELSEWHERE:
            continue
        rc, lines = run(cmd, session, capsys)
        problem, new = _check(cmd, rc, lines)
        if problem is None:
            continue
        failures.append(f"{cmd.where}: $ {cmd.text}\n  {problem}\n  doc:  "
                        + "\n        ".join(cmd.expected or ["(json block)"])
                        + "\n  real: " + "\n        ".join(lines[:40]))
        if new is not None:
            if cmd.json is not None:
                replacements.append((cmd.json.start, cmd.json.end, new))
            else:
                replacements.append((cmd.out_start, cmd.out_end, new))
    if UPDATE and replacements:
        doctool.rewrite(doc, replacements)
    assert not failures, "\n\n".join(failures)


def test_commands_covered_elsewhere_have_their_test() -> None:
    shown = {c.text for d in doctool.docs() for c in doctool.parse(d)}
    for command, node in COVERED_ELSEWHERE.items():
        assert command in shown, f"{command} is no longer in the docs: drop it here"
        path, name = node.split("::")
        assert f"def {name}(" in (ROOT / path).read_text(), node


def test_readme_quick_start_is_the_two_commands_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [doctool.strip_comment(line).strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.strip().splitlines()[-1] == "make test"
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo: install\n\t\$\(BIN\)/socialpulse demo$", makefile, re.M)


def test_the_doc_reader_itself() -> None:
    """The matcher accepts the doc's shortenings and nothing else."""
    assert doctool.matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert doctool.matches(["a", "...", "d"], ["a", "d"])
    assert not doctool.matches(["a", "d"], ["a", "b", "d"])
    assert doctool.matches(["status  ON TRACK: ..."], ["status  ON TRACK: needs +20%"])
    assert not doctool.matches(["status  ON TRACK: ..."], ["status  AT RISK: needs"])
    assert not doctool.matches(["x"], ["x", "y"])
    assert doctool.is_subset({"a": [1, 2]}, {"a": [1, 2, 3], "b": 0})
    assert not doctool.is_subset({"a": [1, 5]}, {"a": [1, 2, 3]})
    assert not doctool.is_subset({"c": 1}, {"a": 1})
    assert doctool.strip_comment("$ x --colour '#065f46'   # a note") == "$ x --colour '#065f46'"
    assert doctool.strip_comment("  # industry: one of") == "  # industry: one of"
    assert doctool.shortened(["1", "2", "3", "4"], ["1", "..."]) == ["1", "..."]
