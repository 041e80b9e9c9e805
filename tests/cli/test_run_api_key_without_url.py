"""``rtagents run --api-key KEY`` is the key of the server at ``--url``: given without
``--url`` (the embedded emulator, or ``--real``, whose key is ``OPENAI_API_KEY``) it would do
nothing, and is said (exit status 2), as every other option that would do nothing is. The
same key in ``RTAGENTS_EMULATOR_API_KEY``, exported for all the commands, stays quiet. Before,
``--api-key`` without ``--url`` was dropped silently: with ``--real``, a user who gave a key
there had OpenAI reached with another."""

from __future__ import annotations

from pathlib import Path

from tests.cli.harness import AGENT, rtagents

KEY = "emu-key-4242"


def test_api_key_without_url_is_said(tmp_path: Path) -> None:
    (tmp_path / "my_agent.py").write_text(AGENT)
    done = rtagents("run", "my_agent:agent", "--api-key", KEY, "--say", "hi", cwd=tmp_path)
    assert done.returncode == 2, (done.returncode, done.stderr[-400:])
    assert done.stderr.startswith("rtagents run: --api-key"), done.stderr[-400:]
    assert KEY not in done.stderr + done.stdout


def test_api_key_with_real_is_said_before_anything_is_reached(tmp_path: Path) -> None:
    (tmp_path / "my_agent.py").write_text(AGENT)
    done = rtagents(
        "run",
        "my_agent:agent",
        "--real",
        "--api-key",
        KEY,
        "--say",
        "hi",
        cwd=tmp_path,
        OPENAI_API_KEY="sk-not-a-real-key-000000000000",
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-400:])
    assert "--api-key" in done.stderr and "OPENAI_API_KEY" in done.stderr, done.stderr[-400:]


def test_the_variable_for_every_command_stays_quiet(tmp_path: Path) -> None:
    (tmp_path / "my_agent.py").write_text(AGENT)
    done = rtagents(
        "run", "my_agent:agent", "--say", "hi", cwd=tmp_path, RTAGENTS_EMULATOR_API_KEY=KEY
    )
    assert done.returncode == 0, done.stderr[-400:]
    assert "You said: hi" in done.stdout
