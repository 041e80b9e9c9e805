"""An async tool that returns an iterator (a generator expression, ``map(...)``) has it
serialised by ``BaseTool.serialize``, which tries pydantic's encoder and, when that fails,
encodes "the same values" a second time. An iterator can be drawn once: the second pass
reads only what the first one left.

- An iterator that raises half-way (a database cursor closed, a page that failed) makes the
  first pass fail; the second reads the exhausted iterator and the model is told ``[]``, as
  a success (``tool.call.completed``): the tool's error is lost and the model says there is
  nothing.
- An iterator with an item the first encoder refuses (a lone surrogate: a file name
  ``os.fsdecode`` gives) loses every item before it: the model reads the tail of the list.

docs/tools.md: a tool that raises gives the model an output saying so; a result is "JSON
where pydantic can encode it, else ``str(value)``" (never part of it). A sync tool's iterator
is drawn into a list in its worker thread first, so only async tools lose this way.

Right behaviour: an iterator result is drawn once, into a list, before it is serialised (on
the loop for an async tool); an error while drawing it is the tool's error."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio

NAME = os.fsdecode(b"caf\xe9.txt")  # "caf\udce9.txt"


@rtagents.tool
async def rows() -> Iterator[int]:
    """Rows of the report (a cursor that fails on the third row)."""

    def cursor() -> Iterator[int]:
        yield 1
        yield 2
        raise ConnectionError("the database closed the cursor")

    return cursor()


@rtagents.tool
async def files() -> Iterator[str]:
    """The files in the inbox."""
    return (name for name in ["a.txt", NAME, "c.txt"])


async def _first_outcome(api: str, name: str, tool: Any) -> Any:
    agent = rtagents.Agent(name="t", tools=[tool], instructions="Be brief.")
    model = ScriptedModel([CallFunction(name, {}, call_id="c1"), "ok"])
    async with Emulator(model=model) as emu:
        url = emu.live_url if api == "live" else emu.url
        async with rtagents.connect(agent, url=url, api=api) as session:
            await session.send_audio(audio.tone(600).tobytes())
            await session.send_audio(audio.silence(400).tobytes())
            with anyio.fail_after(10):
                async for event in session:
                    if event.type in ("tool.call.failed", "tool.call.completed"):
                        return event
    pytest.fail("the session ended before the call was answered")


@pytest.mark.parametrize("api", ["realtime", "live"])
async def test_an_iterator_that_raises_is_an_error_not_an_empty_list(api: str) -> None:
    event = await _first_outcome(api, "rows", rows)
    assert event.type == "tool.call.failed", f"told as a success: {event.output!r}"
    assert event.kind == "error"
    assert "the database closed the cursor" in json.loads(event.output)["message"]


@pytest.mark.parametrize("api", ["realtime", "live"])
async def test_an_iterator_result_keeps_every_item(api: str) -> None:
    event = await _first_outcome(api, "files", files)
    assert event.type == "tool.call.completed"
    assert len(json.loads(event.output)) == 3, event.output
