"""`rtagents emulator --fault drop:after=<an event type that does not exist>`.

`--help` offers `drop:after=response.done,code=1011`. A typo (`response.doen`) is accepted:
the emulator starts, and the fault never fires, so the client under test "survives" a drop
that never happened. The library checks names elsewhere (`session.on("tool.call.complete")`
warns with the nearest type; `--fault bogus` is refused): an `after=` that no server event
has should be refused the same way.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rtagents.emulator import DropConnection, Emulator
from tests.cli.user_cli import rtagents


def test_the_cli_refuses_a_fault_after_an_event_type_that_does_not_exist(tmp_path: Path) -> None:
    try:
        done = rtagents(
            tmp_path, "emulator", "--port", "0", "--fault", "drop:after=response.doen", timeout=8
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the emulator started with a fault that can never fire (after=response.doen)")
    assert done.returncode == 2
    assert "response.doen" in done.stderr


def test_the_python_api_refuses_it_too() -> None:
    with pytest.raises(ValueError, match=r"response\.doen"):
        Emulator(faults=[DropConnection(after="response.doen")])
