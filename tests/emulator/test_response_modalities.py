"""``response.create`` with ``output_modalities: ["text", "audio"]`` is accepted by the
emulator (and answered with audio), although the same value in ``session.update`` is refused.

The SDK's ``RealtimeResponseCreateParamsParam.output_modalities`` says: "currently the only
possible values are `["audio"]`, `["text"]`", and the session's docstring: "It is not possible
to request both `text` and `audio` at the same time." The emulator's own session check
(config.py ``_check_rules``) refuses the pair with ``invalid_value`` naming
``session.output_modalities``; ``response.create`` should be refused the same way
(param ``response.output_modalities``), so that code that works on the emulator does not
fail against the real API.
"""

from __future__ import annotations

from tests.emulator.sansio import Core, types


def test_both_modalities_in_response_create_are_refused() -> None:
    core = Core(["hello"])
    events = core.send(
        {"type": "response.create", "response": {"output_modalities": ["text", "audio"]}}
    )
    errors = [e["error"] for e in events if e["type"] == "error"]
    assert errors, types(events)
    assert errors[0]["code"] == "invalid_value"
    assert errors[0]["param"] == "response.output_modalities"
    assert "response.created" not in types(events)
