"""Every example runs against the emulator, and says what it should."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


EXPECTED: dict[str, list[str]] = {
    "browser_app": ["rtagents serve examples/browser_app.py:app"],
    "approval_callback": [
        "send_payment(to='ann', amount=15): approved by rule",
        "send_payment(to='bob', amount=300): approved by handler",
        "send_payment(to='eve', amount=9000): declined (over the 500 EUR limit) by handler",
        "assistant: paid 300 EUR to bob",
        "assistant: That payment was not approved.",
    ],
    "audio_wav": [
        "sent 1.60 s of audio from question.wav",
        "user (transcribed): What's the weather in Paris?",
        "[tool] get_weather -> sunny in Paris",
        "assistant (spoken): sunny in Paris.",
        "s of audio to answer.wav",  # its length is the voice's: espeak-ng's, or tones'
    ],
    "handoff": [
        "[handoff] triage -> billing",
        "tools offered now: ['refund', 'transfer_to_triage']",
        "[billing] refund -> order A-1001 refunded",
        "assistant (billing): Order A-1001 refunded.",
        "[handoff] billing -> triage",
        "assistant (triage): Triage again: anything else?",
        "tools offered now: ['transfer_to_billing']",
    ],
    "tracing_console": [
        "invoke_agent weather",
        "  realtime_inference gpt-realtime",
        "    execute_tool get_weather",
    ],
    "tracing_otlp": ["exported: invoke_agent weather", "exported: execute_tool get_weather"],
    "tools_basics": [
        "[tool] get_weather -> 18 degrees and sunny in Paris",
        "assistant: 18 degrees and sunny in Paris.",
    ],
    "voice_confirmation": [
        "Say yes to confirm",
        "user (voice): Yes, go ahead.",
        "[approval] approved by user",
        "assistant: The premium plan is cancelled.",
    ],
    "local_mcp": [
        "[calendar_stdio] list_events -> 09:00 stand-up, 14:00 dentist",
        "[calendar_stdio] add_event -> added 'lunch with Ann' on friday",
        "[calendar_http] list_events -> 09:00 stand-up, 14:00 dentist",
        "[calendar_http] add_event -> added 'lunch with Ann' on friday",
    ],
    "hosted_mcp": [
        "[hosted] list_events -> 09:00 stand-up, 14:00 dentist",
        "[approval] calendar.add_event(day='friday', what='yoga') approved=True by rule",
        "[hosted] add_event -> added 'yoga' on friday",
        "assistant: add_event says: added 'yoga' on friday.",
    ],
}
HELPERS = {"calendar_server", "stock_server"}  # MCP servers the examples and docs use


def test_every_example_is_tested() -> None:
    found = {p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_")}
    assert found == set(EXPECTED) | HELPERS


ARGS = {"tracing_console": ["--quiet"]}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str, tmp_path: Path) -> None:
    # As a user runs it: its own process (examples that install a tracer provider need one).
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), *ARGS.get(name, [])],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # examples may write files (audio_wav.py writes WAVs)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    for needle in EXPECTED[name]:
        assert any(needle in line for line in lines), (needle, lines)
    if name == "audio_wav":  # an answer of a few words: most of a second, at least
        with wave.open(str(tmp_path / "answer.wav")) as w:
            assert w.getnframes() > 24_000 // 2
