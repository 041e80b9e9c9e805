"""A tool turn leaves (close to) nothing for the collector to scan (issue #36): the journal
keeps its items as text and atomic values, which the collector does not track, so that
the oldest generation does not grow with every turn (full collections would follow it).

After many tool turns on a few sessions, the GC-tracked objects kept grow by at most a few
a turn (the work kept between collections of ``Batches``, the loop's bookkeeping). The
emulator runs in a process of its own, so that only the client's objects are counted.
"""

from __future__ import annotations

import asyncio
import gc
from contextlib import AsyncExitStack

import pytest

import rtagents
from rtagents import protocol as p
from rtagents.session.journal import Journal
from rtagents.session.journal_items import output_item_id

from .test_density_objects import emulator

SESSIONS = 8
TURNS = 20
AT_MOST = 2.0  # GC-tracked objects kept per tool turn (it was about 22)

SERVE = """
import asyncio, sys
from rtagents.emulator import CallFunction, Emulator, Say

class Clerk:
    def respond(self, ctx):
        last = ctx.items[-1] if ctx.items else {}
        if last.get("type") == "function_call_output":
            return [Say("Done.")]
        return [CallFunction("lookup", {"key": "k"})]

async def main():
    async with Emulator(model=Clerk(), record=0, keep_closed=1) as emu:
        print(emu.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


@rtagents.tool
async def lookup(key: str) -> str:
    """Looks a key up."""
    return f"value of {key}"


async def turn(session: rtagents.RealtimeSession) -> None:
    events = await session.ask("Look it up.")
    assert "tool.call.completed" in [e.type for e in events]


@pytest.mark.anyio
@pytest.mark.timeout(120)
async def test_a_tool_turn_keeps_close_to_no_gc_tracked_objects() -> None:
    agent = rtagents.Agent(name="turns", tools=[lookup], output_modalities=["text"], tracing=None)
    async with emulator(SERVE) as url, AsyncExitStack() as stack:
        sessions = [
            await stack.enter_async_context(rtagents.connect(agent, url=url))
            for _ in range(SESSIONS)
        ]
        for session in sessions:  # the first turn's imports and caches are not a turn's
            await turn(session)
        await asyncio.sleep(0.2)
        gc.collect()
        before = len(gc.get_objects())
        for _ in range(TURNS):
            await asyncio.gather(*(turn(session) for session in sessions))
        await asyncio.sleep(0.2)
        gc.collect()
        kept = (len(gc.get_objects()) - before) / (SESSIONS * TURNS)
        for session in sessions:  # the turns went in the journal, as before
            assert len(session.history) == 4 * (TURNS + 1)
    print(f"GC-tracked objects kept per tool turn: {kept:.2f}")
    assert kept <= AT_MOST, f"{kept:.2f} GC-tracked objects kept per tool turn"


def some_items() -> list[p.ConversationItem]:
    return [
        p.SystemMessage(id="s1", content=[p.SystemContent(text="Be brief.")]),
        p.UserMessage(
            id="u1", content=[p.UserContent(type="input_text", text="hi")], extra={"a": [1]}
        ),
        p.FunctionCall(id="fc1", call_id="c1", name="f", arguments='{"x": 1}'),
        p.FunctionCallOutput(id=output_item_id("c1"), call_id="c1", output="done"),
        p.McpApprovalRequest(id="r1", arguments="{}", name="t", server_label="s"),
        p.McpApprovalResponse(id="a1", approval_request_id="r1", approve=False, reason="no"),
        p.McpCall(
            id="m1",
            arguments="{}",
            name="t",
            server_label="s",
            error=p.McpHttpError(code=500, message="x"),
        ),
    ]


def test_journaled_items_are_not_tracked_by_the_collector() -> None:
    journal = Journal()
    for item in some_items():
        journal.sent(item)
    journal.streaming("as1", "Hello")
    journal.streaming("as1", " there.")
    journal.added("u1")
    assert not journal.settle()
    gc.collect()
    kept = [*journal._entries.values(), *journal._outputs.values()]
    assert len(kept) == 9 and not any(gc.is_tracked(x) for x in kept)


def test_items_come_back_as_they_were_given() -> None:
    journal = Journal()
    given = some_items()
    for item in given:
        journal.sent(item)
    back = journal.items()
    assert back == given and all(x is not y for x, y in zip(back, given, strict=True))
    assert [x.model_fields_set for x in back] == [x.model_fields_set for x in given]
    back[1].content[0].text = "changed"  # a copy: the journal's own stays as it was
    assert journal.items()[1].content[0].text == "hi"


def test_an_assistant_message_of_ours_streams_and_is_cut() -> None:
    journal = Journal()
    said = p.AssistantContent(type="output_text", text="one")
    journal.sent(p.AssistantMessage(id="a9", status="completed", content=[said]))
    journal.streaming("a9", " two three")
    (item,) = journal.replay(sideband=True)
    assert (item.status, item.content[0].text) == ("completed", "one two three")
    journal.truncated("a9", 0.34)
    journal.heard(
        p.AssistantMessage(id="a9", content=[p.AssistantContent(text="one two three")])
    )  # a late copy of the whole answer does not come back in
    assert [x.content[0].text for x in journal.items()] == ["one"]
