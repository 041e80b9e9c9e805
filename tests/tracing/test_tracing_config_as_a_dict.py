"""``Agent(tracing=...)`` given as a plain dict (the shape the openai SDK's own
``session.update`` takes for ``tracing``, and what the wire carries) works on an app with no
OpenTelemetry SDK: the dict is sent as it is. With an SDK installed, the same agent can no
longer connect: ``server_tracing`` calls ``setting.model_copy`` and ``connect`` raises a bare
``AttributeError: 'dict' object has no attribute 'model_copy'``. Installing tracing must not
change whether a session can open (docs/tracing.md: tracing is picked up, the session goes on
as it would untraced)."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.tracing import SPAN_ID_KEY, TRACE_ID_KEY

pytestmark = pytest.mark.anyio


async def _sent_tracing(agent: rtagents.Agent) -> object:
    async with Emulator(model=ScriptedModel([])) as emu:
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=emu.url):
                pass
        [update, *_] = [e for e in emu.last.received if e["type"] == "session.update"]
    return update["session"]["tracing"]


async def test_a_dict_config_connects_without_an_sdk() -> None:
    agent = rtagents.Agent(
        name="dicty", tracing={"workflow_name": "wf"}, output_modalities=["text"]
    )
    assert await _sent_tracing(agent) == {"workflow_name": "wf"}


async def test_a_dict_config_connects_with_an_sdk_too(spans: InMemorySpanExporter) -> None:
    agent = rtagents.Agent(
        name="dicty",
        tracing={"workflow_name": "wf", "metadata": {"team": "voice"}},
        output_modalities=["text"],
    )
    sent = await _sent_tracing(agent)  # AttributeError: 'dict' object has no attribute ...
    [root] = [s for s in spans.get_finished_spans() if s.name == "invoke_agent dicty"]
    trace_id = format(root.context.trace_id, "032x")
    assert isinstance(sent, dict)
    assert sent["workflow_name"] == "wf"
    assert sent["group_id"] == trace_id
    assert sent["metadata"]["team"] == "voice"
    assert sent["metadata"][TRACE_ID_KEY] == trace_id
    assert sent["metadata"][SPAN_ID_KEY] == format(root.context.span_id, "016x")


@pytest.mark.parametrize("setting", ["off", False], ids=["'off'", "False"])
async def test_a_wrong_setting_is_named_with_an_sdk_as_without(
    spans: InMemorySpanExporter, setting: object
) -> None:
    """Untraced, ``tracing="off"`` is refused by the server (``SessionConfigError`` naming
    ``session.tracing``); traced, ``connect`` raises ``AttributeError: 'str' object has no
    attribute 'model_copy'``, which names nothing the app wrote."""
    with pytest.raises(Exception) as raised:
        agent = rtagents.Agent(name="typo", tracing=setting, output_modalities=["text"])  # type: ignore[arg-type]
        await _sent_tracing(agent)
    assert not isinstance(raised.value, AttributeError), repr(raised.value)
    assert "tracing" in str(raised.value)
