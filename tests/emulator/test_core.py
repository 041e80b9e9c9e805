"""The emulator's sans-I/O server core, driven directly: no socket, no event loop, no sleep.
Time moves only when a test moves it, so every event order here is exact."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from rtagents.emulator import CallFunction, DropConnection, ErrorReply, Latency, RaceResponse, Say
from rtagents.emulator import audio as pcm
from rtagents.emulator.actions import Disconnect

from .sansio import Core, types


def speech(ms: int) -> str:
    return base64.b64encode(pcm.tone(ms).tobytes()).decode()


def silence(ms: int) -> str:
    return base64.b64encode(pcm.silence(ms).tobytes()).decode()


def vad(**turn: Any) -> dict[str, Any]:
    turn = {"type": "server_vad", **turn}
    return {
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"input": {"turn_detection": turn}}},
    }


def truncate(item_id: str, audio_end_ms: int) -> dict[str, Any]:
    return {
        "type": "conversation.item.truncate",
        "item_id": item_id,
        "content_index": 0,
        "audio_end_ms": audio_end_ms,
    }


def text_session(**fields: Any) -> dict[str, Any]:
    return {
        "type": "session.update",
        "session": {"type": "realtime", "output_modalities": ["text"], **fields},
    }


def test_a_connection_opens_with_the_session_and_its_defaults() -> None:
    core = Core()
    assert types(core.opening) == ["session.created", "conversation.created"]
    session = core.opening[0]["session"]
    # As the real server reports its default turn detection.
    assert session["audio"]["input"]["turn_detection"] == {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 200,
        "idle_timeout_ms": None,
        "create_response": True,
        "interrupt_response": True,
    }
    assert session["expires_at"] == 3600


def test_the_same_inputs_give_the_same_events() -> None:
    def run() -> list[str]:
        core = Core(
            ["Hello there", CallFunction("f", {"x": 1}, call_id="c")], transcript_order="random"
        )
        out = core.send(vad(silence_duration_ms=200))
        out += core.send({"type": "input_audio_buffer.append", "audio": silence(100) + speech(400)})
        out += core.send({"type": "input_audio_buffer.append", "audio": silence(400)})
        out += core.send({"type": "response.create"})
        return types(out)

    first = run()
    assert first == run()
    assert first.count("response.done") == 2


def test_rate_limits_follow_each_response_done() -> None:
    events = Core(["hi"]).send({"type": "response.create"})
    kinds = types(events)
    assert kinds[-2:] == ["response.done", "rate_limits.updated"]
    assert kinds.count("rate_limits.updated") == 1


def test_cancel_mid_response_when_output_is_not_paced() -> None:
    core = Core(["one two three four five six seven eight"])
    core.core.receive('{"type": "response.create"}')
    head = core.run(steps=8)  # the response is streaming: only its first events are out
    assert "response.output_audio.delta" in types(head)
    events = core.send({"type": "response.cancel"})
    done = next(e for e in events if e["type"] == "response.done")["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"]["reason"] == "client_cancelled"
    transcript = done["output"][0]["content"][0]["transcript"]
    assert transcript and transcript != "one two three four five six seven eight"


def test_cancel_while_the_model_thinks() -> None:
    core = Core(hold_model=True)
    core.send({"type": "response.create"})
    events = core.send({"type": "response.cancel"})
    assert types(events) == ["response.done", "rate_limits.updated"]
    assert events[0]["response"]["status"] == "cancelled"
    assert core.answer("too late") == []  # the late answer is dropped


def test_truncating_the_item_still_streaming() -> None:
    """A client truncates as soon as the user barges in, while the audio still streams."""
    core = Core(["one two three four five six seven eight"])
    core.core.receive('{"type": "response.create"}')
    head = core.run(steps=12)
    item_id = next(e["item_id"] for e in head if e["type"] == "response.output_audio.delta")
    events = core.send(truncate(item_id, 40))
    assert events[0] == {**events[0], "type": "conversation.item.truncated", "audio_end_ms": 40}
    events += core.send({"type": "response.cancel"})
    retrieved = core.send({"type": "conversation.item.retrieve", "item_id": item_id})[0]["item"]
    part = retrieved["content"][0]
    assert part["transcript"] == ""  # the unheard text leaves the context
    assert len(base64.b64decode(part["audio"])) == 40 * 48  # 40 ms of 24 kHz PCM16


def test_truncate_errors_are_worded_as_the_server_words_them() -> None:
    core = Core(["Hello"])
    events = core.send({"type": "response.create"})
    item_id = next(e["item_id"] for e in events if e["type"] == "response.output_audio.delta")
    error = core.error_for(truncate(item_id, 99999))
    assert error is not None
    assert error["param"] == "audio_end_ms"
    assert error["message"].startswith("Audio content of ")
    assert "is already shorter than 99999ms" in error["message"]

    text = Core(["Hello"])
    text.send(text_session())
    events = text.send({"type": "response.create"})
    item_id = next(e["item_id"] for e in events if e["type"] == "response.output_text.delta")
    error = text.error_for(truncate(item_id, 0))
    assert error is not None and error["code"] == "unsupported_content_type"


def test_max_output_tokens_counts_audio_tokens() -> None:
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    as_text = Core([words])
    as_text.send(text_session(max_output_tokens=20))
    text_done = as_text.send({"type": "response.create"})[-2]["response"]
    assert text_done["status"] == "completed"  # 15 text tokens fit

    as_audio = Core([words])
    as_audio.send(
        {"type": "session.update", "session": {"type": "realtime", "max_output_tokens": 20}}
    )
    done = as_audio.send({"type": "response.create"})[-2]["response"]
    assert (done["status"], done["status_details"]["reason"]) == ("incomplete", "max_output_tokens")
    usage = done["usage"]
    assert usage["output_token_details"]["audio_tokens"] > 0
    assert usage["output_tokens"] <= 20


@pytest.mark.parametrize("order", ["before", "after"])
def test_the_input_transcript_comes_before_or_after_response_created(order: str) -> None:
    core = Core(["ok"], transcript_order=order)
    core.send(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "audio": {
                    "input": {
                        "transcription": {"model": "whisper-1"},
                        "turn_detection": {"type": "server_vad"},
                    }
                },
            },
        }
    )
    events = core.send({"type": "input_audio_buffer.append", "audio": speech(300) + silence(300)})
    kinds = types(events)
    done = kinds.index("conversation.item.input_audio_transcription.completed")
    created = kinds.index("response.created")
    assert (done < created) == (order == "before")


def test_random_transcript_order_is_seeded() -> None:
    def orders(seed: int) -> list[bool]:
        core = Core([], transcript_order="random", seed=seed)
        core.send(
            {
                "type": "session.update",
                "session": {
                    "type": "realtime",
                    "output_modalities": ["text"],
                    "audio": {"input": {"transcription": {"model": "whisper-1"}}},
                },
            }
        )
        seen = []
        for _ in range(8):
            kinds = types(
                core.send(
                    {"type": "input_audio_buffer.append", "audio": speech(300) + silence(300)}
                )
            )
            seen.append(
                kinds.index("conversation.item.input_audio_transcription.completed")
                < kinds.index("response.created")
            )
        return seen

    assert orders(1) == orders(1)
    assert len(set(orders(1))) == 2  # both orders happen


def test_idle_timeout_runs_on_the_core_clock() -> None:
    core = Core(["first", "are you there?"])
    core.send(
        text_session(
            audio={"input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 5000}}}
        )
    )
    core.send({"type": "response.create"})
    assert core.run(until_ms=4999) == []
    events = core.run(until_ms=5000)
    assert types(events)[:2] == [
        "input_audio_buffer.timeout_triggered",
        "input_audio_buffer.committed",
    ]
    assert events[-2]["response"]["output"][0]["content"][0]["text"] == "are you there?"


def test_vad_keeps_its_clock_across_a_session_update() -> None:
    core = Core([])
    core.send({"type": "input_audio_buffer.append", "audio": silence(1000)})
    core.send(vad(silence_duration_ms=300))
    events = core.send({"type": "input_audio_buffer.append", "audio": speech(200)})
    started = next(e for e in events if e["type"] == "input_audio_buffer.speech_started")
    assert started["audio_start_ms"] == 1000 - 300  # prefix padding before the speech


def test_the_list_tools_item_is_empty_at_added_and_filled_at_done() -> None:
    tools = [
        {
            "name": "lookup",
            "description": "d",
            "input_schema": {"type": "object"},
            "annotations": None,
        }
    ]
    core = Core(hosted={"notes": tools})
    config = {"type": "mcp", "server_label": "notes", "server_url": "http://127.0.0.1:1/mcp"}
    events = core.send(
        {"type": "session.update", "session": {"type": "realtime", "tools": [config]}}
    )
    added = next(e for e in events if e["type"] == "conversation.item.added")
    done = next(e for e in events if e["type"] == "conversation.item.done")
    assert added["item"]["tools"] == [] and done["item"]["tools"][0]["name"] == "lookup"
    assert "object" not in added["item"]  # the real server sends none on MCP items
    kinds = types(events)
    assert kinds.index("mcp_list_tools.in_progress") < kinds.index("mcp_list_tools.completed")


def test_a_failed_listing_is_reported() -> None:
    core = Core(hosted={"notes": ConnectionError("refused")})
    config = {"type": "mcp", "server_label": "notes", "server_url": "http://127.0.0.1:1/mcp"}
    core.hosted = {"notes": ConnectionError("refused")}
    events = core.send(
        {"type": "session.update", "session": {"type": "realtime", "tools": [config]}}
    )
    assert "mcp_list_tools.failed" in types(events)


def test_a_drop_after_an_event_ends_the_connection_right_after_it() -> None:
    core = Core([Say("hi")], faults=(DropConnection(after="response.created", code=4000),))
    events = core.send({"type": "response.create"})
    assert types(events)[-1] == "response.created"
    assert core.disconnect == Disconnect(4000, "emulator dropped the connection", False)
    assert core.send({"type": "response.create"}) == []  # closed: nothing more


def test_expiry_and_timed_drops_fire_when_the_clock_says() -> None:
    core = Core(max_session_s=2)
    assert core.run(until_ms=1999) == [] and core.disconnect is None
    [error] = core.run(until_ms=2000)
    assert error["error"]["code"] == "session_expired"
    assert core.disconnect == Disconnect(1000, "session expired", False)

    timed = Core(faults=(DropConnection(at_s=0.5, reset=True),))
    timed.run(until_ms=500)
    assert timed.disconnect is not None and timed.disconnect.reset


def test_an_error_reply_and_latency() -> None:
    core = Core(
        ["hi"],
        faults=(ErrorReply(to="response.create", code="conversation_already_has_active_response"),),
    )
    error = core.error_for({"type": "response.create"})
    assert error is not None and error["code"] == "conversation_already_has_active_response"
    assert "response.done" in types(core.send({"type": "response.create"}))  # only the first

    slow = Core(["hi"], faults=(Latency(ms=10, jitter_ms=5, seed=3),))
    assert slow.opening == []  # nothing is due at time 0
    wake = slow.core.wake_at()
    assert wake is not None and 10 <= wake <= 15
    assert types(slow.run(until_ms=wake)) == ["session.created"]


def test_a_second_response_while_one_is_active_is_refused() -> None:
    core = Core(hold_model=True)
    core.send({"type": "response.create"})
    error = core.error_for({"type": "response.create"})
    assert error is not None and error["code"] == "conversation_already_has_active_response"
    out_of_band = core.send({"type": "response.create", "response": {"conversation": "none"}})
    assert types(out_of_band) == ["response.created"]


def test_prefix_padding_never_reaches_into_the_turn_before() -> None:
    core = Core(["a", "b"])
    core.send(vad(silence_duration_ms=200, prefix_padding_ms=300))
    events = core.send(
        {
            "type": "input_audio_buffer.append",
            "audio": speech(300) + silence(250) + speech(300) + silence(300),
        }
    )
    starts = [
        e["audio_start_ms"] for e in events if e["type"] == "input_audio_buffer.speech_started"
    ]
    stops = [e["audio_end_ms"] for e in events if e["type"] == "input_audio_buffer.speech_stopped"]
    assert len(starts) == 2 and starts[1] >= stops[0]


def test_a_lost_race_for_the_active_response() -> None:
    core = Core(["the server's own", "the client's"], faults=(RaceResponse(nth=1),))
    events = core.send({"type": "response.create"})
    kinds = types(events)
    # The server's own response started first; the client's create is refused.
    assert kinds[:2] == ["response.created", "error"]
    assert events[1]["error"]["code"] == "conversation_already_has_active_response"
    assert kinds.count("response.done") == 1
    assert "response.done" in types(core.send({"type": "response.create"}))  # only the first
