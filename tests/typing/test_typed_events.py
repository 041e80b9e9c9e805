"""``async for event in session`` is typed: mypy --strict narrows on ``event.type``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def mypy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_a_user_program_matching_on_event_type_type_checks() -> None:
    result = mypy(HERE / "user_program.py")
    assert result.returncode == 0, result.stdout


def test_a_wrong_field_is_caught(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "import rtagents\n\n"
        "async def f(session: rtagents.RealtimeSession) -> str:\n"
        "    async for event in session:\n"
        "        if event.type == 'tool.call.started':\n"
        "            return event.transcript\n"  # a field of another event
        "    return ''\n"
    )
    result = mypy(wrong)
    assert result.returncode == 1 and "transcript" in result.stdout, result.stdout


def test_framework_types_never_equal_a_server_type() -> None:
    from typing import get_args

    from rtagents import protocol
    from rtagents.session import FrameworkEventType

    framework = {cls.__dataclass_fields__["type"].default for cls in get_args(FrameworkEventType)}
    assert framework.isdisjoint(protocol.SERVER_EVENTS)
