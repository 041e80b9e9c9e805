"""``rtagents run --url`` gives the server at that URL the key from ``--api-key`` or
``RTAGENTS_EMULATOR_API_KEY``, as ``rtagents emulator`` and ``rtagents call`` do
(``_cli_common.add_emulator_key``: "never OPENAI_API_KEY, which must not reach whatever URL the
emulator is said to be at"). With the variable exported for all three, as docs/emulator.md says,
``run --url`` reaches an emulator started with that key. Without it, the emulator would refuse
``run`` with 401, and the only way in would be to put the emulator's key in OPENAI_API_KEY."""

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
