"""One meaning per public name: a name the packages export means one thing wherever it is
exported, and the names renamed for that keep working, with a warning, where users had
them."""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

import pytest

import rtagents

PACKAGES = [
    "rtagents",
    "rtagents.tools",
    "rtagents.approvals",
    "rtagents.mcp",
    "rtagents.session",
    "rtagents.emulator",
    "rtagents.testing",
    "rtagents.calls",
    "rtagents.audio",
    "rtagents.protocol",
]


def test_a_public_name_means_one_thing_in_every_package() -> None:
    meanings: dict[str, dict[int, list[str]]] = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            value = getattr(module, name)
            if not isinstance(value, ModuleType):
                meanings.setdefault(name, {}).setdefault(id(value), []).append(package)
    clashes = {name: sorted(where.values()) for name, where in meanings.items() if len(where) > 1}
    assert clashes == {}


def test_the_session_closed_exception_and_event_have_their_own_names() -> None:
    assert issubclass(rtagents.SessionClosedError, rtagents.RtagentsError)
    assert rtagents.session.SessionClosed(reason="done").type == "session.closed"
    with pytest.warns(DeprecationWarning, match="SessionClosedError"):
        old = rtagents.SessionClosed  # type: ignore[attr-defined]
    assert old is rtagents.SessionClosedError
    with pytest.warns(DeprecationWarning, match="SessionClosedError"):
        from rtagents.errors import SessionClosed  # type: ignore[attr-defined]
    assert SessionClosed is rtagents.SessionClosedError
    with pytest.raises(rtagents.SessionClosedError):  # an old `except` still catches it
        raise old("the session closed")


def test_a_tool_call_record_is_not_a_phone_call_record() -> None:
    import rtagents.calls
    import rtagents.testing

    assert rtagents.testing.ToolCallRecord is not rtagents.calls.CallRecord
    with pytest.warns(DeprecationWarning, match="ToolCallRecord"):
        old = rtagents.testing.CallRecord  # type: ignore[attr-defined]
    assert old is rtagents.testing.ToolCallRecord


def test_the_new_names_warn_about_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from rtagents import SessionClosedError  # noqa: F401
        from rtagents.testing import ToolCallRecord  # noqa: F401
