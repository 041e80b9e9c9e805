"""Rule: a wrong argument to ``connect`` gets a clear error at the call that names the
argument (as ``api=``, ``sync_tool_threads=`` and ``audio_format=`` already do), never an
AttributeError from inside. ``reconnect=False`` is the obvious way a newcomer writes "no
reconnect" (the docs say ``reconnect=None``); today it fails with
``AttributeError: 'bool' object has no attribute 'handover_before_s'``."""

from __future__ import annotations

import pytest

import rtagents


@pytest.mark.parametrize("value", [False, True, 5])
def test_reconnect_of_the_wrong_type_is_named(value: object) -> None:
    agent = rtagents.Agent(name="a")
    try:
        rtagents.connect(agent, url="ws://127.0.0.1:9/v1/realtime", reconnect=value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        assert "reconnect" in str(exc), str(exc)
    except Exception as exc:
        pytest.fail(f"reconnect={value!r}: {type(exc).__name__}: {exc}")
    else:
        if value is not False:
            pytest.fail(f"reconnect={value!r} was taken without a word")
