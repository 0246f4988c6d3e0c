"""``socialpulse publish``: bad input is one line and exit 2, and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.connections import ConnectionKind, Secret
from socialpulse.domain.models import Network
from socialpulse.interfaces.cli.main import main
from socialpulse.services.connections import ConnectRequest

from .conftest import ME
from .fakes import PublishingMastodon


@pytest.fixture
def home(empty_app: App) -> Iterator[Path]:
    fake = PublishingMastodon(lambda: datetime.now(UTC))
    empty_app.workspaces.create(ME, "acme", "Acme", "Europe/Madrid")
    empty_app.connections.connect(ME, empty_app.workspace("acme"), ConnectRequest(
        Network.MASTODON, ConnectionKind.OWN, server=fake.url, secret=Secret("good-token")))
    yield empty_app.settings.home
    fake.close()


def _run(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), "publish", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(("args", "message"), [
    (["draft", "--network", "myspace", "--text", "hi"],
     "--network: 'myspace' is not a network; use mastodon or bluesky"),
    (["draft", "--network", "bluesky", "--text", "hi"],
     "bluesky: no own account is connected in workspace 'acme'"),
    (["draft", "--network", "mastodon", "--text", "x" * 501],
     "Mastodon: 501 characters (at most 500)"),
    (["schedule", "1", "--at", "tomorrow"], "--at: 'tomorrow' is not a local time"),
    (["approve", "7"], "post 7 not found in workspace 'acme'"),
    (["list", "--status", "lost"], "--status: 'lost' is not a state"),
])
def test_bad_input_is_one_line(capsys: pytest.CaptureFixture[str], home: Path,
                               args: list[str], message: str) -> None:
    code, out, err = _run(capsys, home, *args)
    assert code == 2
    assert err.startswith("socialpulse: error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    code, out, _ = _run(capsys, home, "list", "--format", "json")
    assert code == 0 and out.strip() == "[]"


def test_workflow_from_the_cli(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    assert _run(capsys, home, "draft", "--network", "mastodon", "--text", "Hi")[0] == 0
    assert _run(capsys, home, "submit", "1")[1] == "post 1: waiting for approval\n"
    code, _, err = _run(capsys, home, "schedule", "1", "--at", "2030-01-01 09:00")
    assert code == 2 and "is waiting for approval; only an approved post" in err
    code, _, err = _run(capsys, home, "reject", "1")
    assert code == 2 and "comment: say why" in err
    assert _run(capsys, home, "approve", "1")[0] == 0
    code, out, _ = _run(capsys, home, "schedule", "1", "--at", "2030-01-01 09:00")
    assert out == ("post 1: scheduled for 2030-01-01 09:00 Europe/Madrid "
                   "(2030-01-01T08:00:00+00:00)\n")
    assert _run(capsys, home, "cancel", "1")[1] == "post 1: cancelled\n"
