"""``rtagents run`` whose session the server ends with an error (here the connection keeps
dropping and reconnecting gives up) fails: it prints why the session ended ("the connection
could not be kept ...") and exits 1. A script or CI step that runs the agent can then tell a
failed conversation from a good one, and the user learns why the remaining --say lines were
never said."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtagents.cli import main
from rtagents.session import Reconnect
from rtagents.session.connect import connect
from tests.cli.harness import AGENT, emulator


def test_a_session_closed_with_an_error_is_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "my_agent_failure.py").write_text(AGENT)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    # The default backoff takes ~15 s to give up; one quick attempt shows the same.
    quick = Reconnect(attempts=1, backoff=0.01, max_backoff=0.01)
    monkeypatch.setitem(connect.__kwdefaults__, "reconnect", quick)
    with emulator("--fault", "drop:after=session.updated,code=1011") as (ws, _):
        code = main(["run", "my_agent_failure:agent", "--url", ws, "--say", "hi", "--say", "again"])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "could not be kept" in text, f"nothing says the session ended:\n{text}"
    assert code != 0, f"exit {code} after the session was closed with an error:\n{text}"
