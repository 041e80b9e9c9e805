"""`@session.on("...")` turns the handler it decorates into `Callable[[Any], Any]`: the
function's own parameter and result types are gone for the rest of the program.

`RealtimeSession.on` returns `Callable[[Handler], Handler]` with `Handler = Callable[[Any],
Any]` (session/stream.py), where a decorator that registers and returns its argument
unchanged (which `register` does) is typed with a TypeVar bound to `Handler`. A handler the
app also calls itself (a test, a replay of recorded events) is then unchecked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.typing.user_mypy import mypy

USER_CODE = """
import rtagents
from rtagents.session.events import ToolCallCompleted


def follow(session: rtagents.RealtimeSession) -> None:
    @session.on("tool.call.completed")
    def log_call(event: ToolCallCompleted) -> str:
        return f"{event.name}: {event.output}"

    reveal_type(log_call)
    count: int = log_call("not an event")  # wrong argument, wrong result type
"""


@pytest.mark.timeout(600)
def test_a_handler_keeps_its_type_after_session_on(tmp_path: Path) -> None:
    checked = mypy(tmp_path, USER_CODE)
    number = 1 + USER_CODE.splitlines().index(
        '    count: int = log_call("not an event")  # wrong argument, wrong result type'
    )
    assert 'Revealed type is "def (event: rtagents.session.events.ToolCallCompleted) -> str"' in (
        checked.stdout
    ), checked.stdout
    assert f"user_code.py:{number}: error" in checked.stdout, checked.stdout
