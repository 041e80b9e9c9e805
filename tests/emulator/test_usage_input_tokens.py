"""A response's ``usage.input_tokens`` counts the response's own output as its input: the
same context gives more input tokens the longer the model's answer is."""

from __future__ import annotations

from ..emulator.sansio import Core


def _usage(said: str) -> dict:
    c = Core([said])
    c.send(
        {"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}}
    )
    text = [{"type": "input_text", "text": "Tell me something."}]
    c.send(
        {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "user", "content": text},
        }
    )
    done = [e for e in c.send({"type": "response.create"}) if e["type"] == "response.done"]
    assert len(done) == 1
    return done[0]["response"]["usage"]


def test_input_tokens_do_not_include_the_answer() -> None:
    short, long = _usage("Yes."), _usage(" ".join(["something"] * 200))
    assert long["output_tokens"] > short["output_tokens"]
    assert long["input_tokens"] == short["input_tokens"]
