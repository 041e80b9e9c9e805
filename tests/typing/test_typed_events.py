"""``async for event in session`` is typed: mypy --strict narrows on ``event.type``."""

from __future__ import annotations

from pathlib import Path

from .user_mypy import mypy

HERE = Path(__file__).parent


def test_a_user_program_matching_on_event_type_type_checks(tmp_path: Path) -> None:
    result = mypy(tmp_path, (HERE / "user_program.py").read_text())
    assert result.returncode == 0, result.stdout


def test_a_wrong_field_is_caught(tmp_path: Path) -> None:
    result = mypy(
        tmp_path,
        "import rtagents\n\n"
        "async def f(session: rtagents.RealtimeSession) -> str:\n"
        "    async for event in session:\n"
        "        if event.type == 'tool.call.started':\n"
        "            return event.transcript\n"  # a field of another event
        "    return ''\n",
    )
    assert result.returncode == 1 and "transcript" in result.stdout, result.stdout


def test_framework_types_never_equal_a_server_type() -> None:
    from typing import get_args

    from rtagents import protocol
    from rtagents.session import FrameworkEventType

    framework = {cls.__dataclass_fields__["type"].default for cls in get_args(FrameworkEventType)}
    assert framework.isdisjoint(protocol.SERVER_EVENTS)
