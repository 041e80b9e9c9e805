"""``rtagents run --url`` cannot give an emulator its key. ``rtagents emulator`` and
``rtagents call`` take it from ``--api-key`` or ``RTAGENTS_EMULATOR_API_KEY`` ("never
OPENAI_API_KEY, which must not reach whatever URL the emulator is said to be at",
_cli_common.add_emulator_key), but ``run`` has neither: with the variable exported for all
three, as docs/emulator.md says, ``run --url`` is refused with 401; the only way in is to put
the emulator's key in OPENAI_API_KEY (``run`` sends OPENAI_API_KEY to any --url)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.harness import AGENT, emulator, rtagents

KEY = "emu-key-4242"


def test_run_reaches_an_emulator_started_with_a_key(tmp_path: Path) -> None:
    (tmp_path / "my_agent.py").write_text(AGENT)
    with emulator(RTAGENTS_EMULATOR_API_KEY=KEY) as (ws, _):
        done = rtagents(
            "run",
            "my_agent:agent",
            "--url",
            ws,
            "--say",
            "hi",
            cwd=tmp_path,
            RTAGENTS_EMULATOR_API_KEY=KEY,
        )
    assert done.returncode == 0, done.stderr
    assert "You said: hi" in done.stdout
