"""The command line: ``rtagents demo`` (what ``make demo`` runs) and ``rtagents run``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def rtagents(
    *args: str,
    stdin: str | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rtagents", *args],
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
        cwd=cwd,
        env=env,
    )


def test_demo_shows_a_tool_call_an_approval_and_mcp_calls_and_ends(tmp_path: Path) -> None:
    import array
    import wave

    wav = tmp_path / "voice.wav"
    result = rtagents("demo", "--out", str(wav))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # espeak-ng is installed for the tests: the emulator's voice is speech (and says so).
    assert f"of speech in {wav} (play it)" in out and "seconds of audio" in out.splitlines()[0]
    with wave.open(str(wav)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24000, 1, 2)
        samples = array.array("h", w.readframes(w.getnframes()))
    assert len(samples) > 24000 and max(map(abs, samples)) > 1000  # seconds of sound, not silence
    assert "-> get_weather(city='Paris')" in out
    assert "? approval needed: book_table(restaurant='Chez Panisse', people=4) [function]" in out
    assert "! approved by handler" in out
    assert "<- list_events: 09:00 stand-up, 14:00 dentist" in out  # local MCP (stdio)
    assert "[hosted MCP docs] search_docs(query='rate limits')" in out  # hosted MCP
    assert out.count("assistant: ") == 4
    assert out.count("stand-in model") == 1  # said once, up front
    assert out.rstrip().endswith("demo finished")
    assert "INFO" not in out and "Traceback" not in result.stderr


def without_espeak(tmp_path: Path) -> dict[str, str]:
    """The environment with a PATH where espeak-ng is not found."""
    import os

    (tmp_path / "bin").mkdir(exist_ok=True)
    return {**os.environ, "PATH": str(tmp_path / "bin")}


def test_without_espeak_the_demo_says_tones_not_speech(tmp_path: Path) -> None:
    wav = tmp_path / "voice.wav"
    result = rtagents("demo", "--out", str(wav), env=without_espeak(tmp_path))
    assert result.returncode == 0, result.stderr
    said = next(line for line in result.stdout.splitlines() if "the agent's voice" in line)
    assert f"of tones in {wav} (play it) (install espeak-ng for speech)" in said
    assert "speech in" not in result.stdout


def test_run_out_says_what_the_voice_is(tmp_path: Path) -> None:
    answer = tmp_path / "a.wav"
    args = ("run", "tools_basics:agent", "--say", "Weather in Rome?", "--out", str(answer))
    spoken = rtagents(*args, cwd=EXAMPLES)
    assert spoken.returncode == 0, spoken.stderr
    assert f"s of the agent's voice (speech) to {answer}" in spoken.stdout
    toned = rtagents(*args, cwd=EXAMPLES, env=without_espeak(tmp_path))
    assert toned.returncode == 0, toned.stderr
    assert f"s of the agent's voice (tones) to {answer}" in toned.stdout
    assert "tones without espeak-ng" in toned.stdout


def test_the_emulators_voice_is_chosen_and_said(tmp_path: Path) -> None:
    refused = rtagents("emulator", "--voice", "espeak", env=without_espeak(tmp_path))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "voice='espeak' needs espeak-ng on PATH" in refused.stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "emulator", "--port", "0", "--voice", "tones"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(5)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert lines[-1].split() == ["voice:", "tones,", *lines[-1].split()[2:]]
    assert "install espeak-ng for speech" in lines[-1]


def test_demo_real_without_a_key_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = rtagents("demo", "--real")
    assert result.returncode != 0 and "OPENAI_API_KEY" in (result.stderr + result.stdout)


def test_run_a_users_agent() -> None:
    result = rtagents(
        "run", "tools_basics:agent", "--say", "What's the weather in Rome?", cwd=EXAMPLES
    )
    assert result.returncode == 0, result.stderr
    assert "<- get_weather: 18 degrees and sunny in Rome" in result.stdout
    piped = rtagents(
        "run", "tools_basics:agent", stdin="What's the weather in Oslo?\nexit\n", cwd=EXAMPLES
    )
    assert "sunny in Oslo" in piped.stdout


def test_run_the_same_agent_on_gpt_live() -> None:
    """``--api live``: the same agent, offline, on the emulator's GPT-Live endpoint; each
    --say line is said aloud (GPT-Live has no text input) and heard as its text."""
    result = rtagents(
        "run", "tools_basics:agent", "--api", "live", "--say", "Weather in Rome?", cwd=EXAMPLES
    )
    assert result.returncode == 0, result.stderr
    assert "<- get_weather: 18 degrees and sunny in Rome" in result.stdout
    assert "assistant: " in result.stdout.split("<- get_weather")[1]


def test_gpt_live_takes_no_text_from_a_real_server() -> None:
    args = ("run", "tools_basics:agent", "--api", "live", "--url", "ws://x", "--say", "hi")
    result = rtagents(*args, cwd=EXAMPLES)
    assert result.returncode != 0
    assert "GPT-Live has no text input" in result.stderr


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("tools_basics", "expected MODULE:AGENT"),
        ("nomodule:agent", "cannot import 'nomodule'"),
        ("tools_basics:nope", "has no attribute 'nope'"),
        ("tools_basics:get_weather", "is a FunctionTool, not an rtagents.Agent"),
    ],
)
def test_run_errors_are_clear(spec: str, message: str) -> None:
    result = rtagents("run", spec, "--say", "hi", cwd=EXAMPLES)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_help_is_readable() -> None:
    for args in (["--help"], ["run", "--help"], ["demo", "--help"]):
        result = rtagents(*args)
        assert result.returncode == 0 and "usage: rtagents" in result.stdout
    assert "MODULE:AGENT" in rtagents("run", "--help").stdout
    missing = rtagents()
    assert missing.returncode == 2 and "required" in missing.stderr


def test_version() -> None:
    import rtagents as package

    result = rtagents("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"rtagents {package.__version__}"


def test_run_takes_a_file_path() -> None:
    result = rtagents(
        "run", str(EXAMPLES / "tools_basics.py") + ":agent", "--say", "What's the weather in Rome?"
    )
    assert result.returncode == 0, result.stderr
    assert "sunny in Rome" in result.stdout


def test_run_says_it_is_offline_with_a_stand_in_model() -> None:
    result = rtagents("run", "tools_basics:agent", "--say", "hi", cwd=EXAMPLES)
    first = result.stdout.splitlines()[0]
    assert "emulator" in first and "stand-in model" in first


def test_a_wrong_agent_name_lists_the_agents_found(tmp_path: Path) -> None:
    (tmp_path / "bots.py").write_text(
        "import rtagents\nalice = rtagents.Agent(name='a')\nbob = rtagents.Agent(name='b')\n"
    )
    result = rtagents("run", "bots:carol", "--say", "hi", cwd=tmp_path)
    assert result.returncode == 2
    assert "the Agents it has: alice, bob" in result.stderr
    missing = rtagents("run", "nowhere/bots.py:alice", "--say", "hi", cwd=tmp_path)
    assert missing.returncode == 2 and "no file 'nowhere/bots.py'" in missing.stderr


def test_real_without_a_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = rtagents("run", "tools_basics:agent", "--real", "--say", "hi", cwd=EXAMPLES)
    assert result.returncode == 2 and "OPENAI_API_KEY" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_bad_port_is_a_clear_error(port: str) -> None:
    result = rtagents("emulator", "--port", port)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "port" in result.stderr


def test_the_emulator_prints_its_address_once_and_which_url_goes_where() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "listening on ws://127.0.0.1:" in first
        port = first.split("ws://127.0.0.1:")[1].split("/")[0]
        urls = [proc.stdout.readline() for _ in range(3)]
    finally:
        proc.terminate()
        rest = proc.communicate(timeout=10)[0]
    assert "listening" not in rest + "".join(urls)
    # Which URL goes where, said where the user first looks.
    websocket, rest_api, sdk = urls
    assert f"ws://127.0.0.1:{port}/v1/realtime" in websocket and "connect(" in websocket
    assert f"http://127.0.0.1:{port}/v1 " in rest_api and "CallServer(base_url=" in rest_api
    assert f"base_url='http://127.0.0.1:{port}/v1'" in sdk


GUARDED = """
import rtagents


@rtagents.tool(needs_approval=True)
def refund(order: str) -> str:
    '''Refund an order.'''
    return f"refunded {order}"


agent = rtagents.Agent(name="shop", tools=[refund], output_modalities=["text"])
"""


@pytest.mark.parametrize(
    ("flag", "expected"),
    [("--approve", "refunded A17"), ("--deny", "declined: rtagents run --deny"), (None, "denied")],
)
def test_run_answers_approvals(tmp_path: Path, flag: str | None, expected: str) -> None:
    (tmp_path / "shop.py").write_text(GUARDED)
    args = ["run", "shop.py:agent", "--say", 'Refund order "A17" please']
    result = rtagents(*args, *([flag] if flag else []), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout, result.stdout
    if flag != "--approve":
        assert "refunded A17" not in result.stdout


# The agent's own policy decides; the command line answers only what the policy leaves to an
# out-of-band answer (no handler, or a handler that returned None).
POLICED = """
import time

import anyio
import rtagents
from rtagents.approvals import ApprovalPolicy, deny


@rtagents.tool(needs_approval=True)
def refund(order: str) -> str:
    '''Refund an order.'''
    return f"refunded {order}"


async def slow_yes(request):
    await anyio.sleep(0.5)
    return True


async def slow_no(request):
    await anyio.sleep(0.5)
    return rtagents.Decision(False, "the shop's rules say no")


def sync_yes(request):
    time.sleep(0.5)
    return True


def sync_none(request):
    return None


def agent_with(**policy):
    return rtagents.Agent(
        name="shop", tools=[refund], approval=ApprovalPolicy(**policy), output_modalities=["text"]
    )


approves = agent_with(handler=slow_yes)
approves_sync = agent_with(handler=sync_yes)
declines = agent_with(handler=slow_no)
rule_declines = agent_with(rules=[deny(tool="refund", reason="refunds are off")], handler=slow_yes)
leaves_it = agent_with(handler=sync_none)
"""


@pytest.mark.parametrize(
    ("agent", "flag", "ran", "said"),
    [
        # the handler approves: no terminal and no flag must not deny before it answers
        ("approves", None, True, "approved by handler"),
        ("approves_sync", None, True, "approved by handler"),
        ("approves", "--deny", True, "approved by handler"),
        # a handler's or a rule's no stays a no, whatever the flag
        ("declines", "--approve", False, "the shop's rules say no"),
        ("declines", None, False, "the shop's rules say no"),
        ("rule_declines", "--approve", False, "refunds are off"),
        # the handler leaves it to an outside answer: the flags answer
        ("leaves_it", "--approve", True, "approved by user"),
        ("leaves_it", "--deny", False, "declined: rtagents run --deny"),
        ("leaves_it", None, False, "no terminal to ask"),
    ],
)
def test_run_never_overrides_the_agents_policy(
    tmp_path: Path, agent: str, flag: str | None, ran: bool, said: str
) -> None:
    (tmp_path / "policed.py").write_text(POLICED)
    args = ["run", f"policed.py:{agent}", "--say", 'Refund order "A17" please']
    result = rtagents(*args, *([flag] if flag else []), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("refunded A17" in result.stdout) is ran, result.stdout
    assert said in result.stdout, result.stdout


@pytest.mark.parametrize("command", [("demo",), ("run", "tools_basics:agent", "--say", "hi")])
def test_an_out_file_that_cannot_be_written_is_refused_before_the_conversation(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    result = rtagents(*command, "--out", str(tmp_path / "no" / "such" / "a.wav"))
    assert result.returncode == 2
    assert "cannot write" in result.stderr and "no folder" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


FACTORIES = """
import rtagents

async def made_async():
    return rtagents.Agent(name="made", output_modalities=["text"])

def needs(name):
    return rtagents.Agent(name=name)

number = 3
"""


@pytest.mark.parametrize(
    ("attr", "returncode", "said"),
    [
        ("made_async", 0, ""),
        ("needs", 2, "is a function that takes arguments (name)"),
        ("number", 2, "is an int, not an rtagents.Agent"),
    ],
)
def test_run_takes_an_async_factory_and_says_why_it_takes_no_other(
    attr: str, returncode: int, said: str, tmp_path: Path
) -> None:
    (tmp_path / "factories.py").write_text(FACTORIES)
    result = rtagents("run", f"factories:{attr}", "--say", "hi", cwd=tmp_path)
    assert result.returncode == returncode, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert "RuntimeWarning" not in result.stderr


def test_a_policy_left_without_a_terminal_is_denied_saying_so(tmp_path: Path) -> None:
    (tmp_path / "asking.py").write_text(
        "import rtagents\n"
        "@rtagents.tool(needs_approval=True)\n"
        "def get_weather(city: str) -> str:\n"
        '    """The weather."""\n'
        "    return 'sunny'\n"
        "agent = rtagents.Agent(name='a', tools=[get_weather])\n"
    )
    result = rtagents("run", "asking:agent", "--say", "Weather in Rome?", cwd=tmp_path)
    assert "no terminal to ask: denied" in result.stdout
    assert "declined at the terminal" not in result.stdout + result.stderr
