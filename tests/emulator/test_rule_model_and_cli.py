"""The demo's rule-based model, and the emulator run from the shell."""

from __future__ import annotations

import datetime
import json
import socket
import subprocess
import sys
from typing import Literal

import pytest
from websockets.sync.client import connect

import rtagents
from rtagents.emulator import CallFunction, CallMCP, ModelContext, RuleModel, Say

TOOLS = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
    {
        "type": "function",
        "name": "book_table",
        "description": "Book a restaurant table.",
        "parameters": {
            "type": "object",
            "properties": {"restaurant": {"type": "string"}, "people": {"type": "integer"}},
            "required": ["restaurant", "people"],
        },
    },
    {
        "type": "mcp_tool",
        "server_label": "docs",
        "name": "search_docs",
        "description": "Search the documentation.",
        "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
]


def _ctx(*items: dict[str, object]) -> ModelContext:
    return ModelContext(items=list(items), instructions="", tools=TOOLS)


def _user(text: str) -> dict[str, object]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def test_rule_model_picks_the_tool_and_fills_arguments() -> None:
    model = RuleModel()
    assert model.respond(_ctx(_user("What's the weather in Paris in fahrenheit?"))) == [
        CallFunction("get_weather", {"city": "Paris", "unit": "fahrenheit"})
    ]
    assert model.respond(_ctx(_user("Please book a table at Chez Panisse for 4 people"))) == [
        CallFunction("book_table", {"restaurant": "Chez Panisse", "people": 4})
    ]
    assert model.respond(_ctx(_user("search the docs for 'rate limits'"))) == [
        CallMCP("docs", "search_docs", {"query": "rate limits"})
    ]
    assert model.respond(_ctx(_user("Tell me a joke"))) == [Say("You said: Tell me a joke")]


def test_rule_model_answers_from_outputs() -> None:
    call = {"type": "function_call", "name": "get_weather", "call_id": "c", "arguments": "{}"}
    output = {"type": "function_call_output", "call_id": "c", "output": "18C and sunny"}
    assert RuleModel().respond(_ctx(_user("weather?"), call, output)) == [Say("18C and sunny.")]
    failed = {**output, "output": json.dumps({"error": "timeout", "message": "took too long"})}
    assert RuleModel().respond(_ctx(_user("weather?"), call, failed)) == [
        Say("Sorry, that did not work (took too long).")
    ]


@pytest.mark.parametrize("launcher", [["-m", "rtagents"], ["-m", "rtagents.cli"]])
def test_emulator_runs_from_the_shell(launcher: list[str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, *launcher, "emulator", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on ws://127.0.0.1:" in line
        url = line.split("listening on ")[1].split()[0]
        with connect(url + "?model=gpt-realtime") as ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "session.created"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_help_and_bad_arguments() -> None:
    help_text = subprocess.run(
        [sys.executable, "-m", "rtagents", "emulator", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--port" in help_text and "offline" in help_text
    bad = subprocess.run(
        [sys.executable, "-m", "rtagents", "emulator", "--port", "eighty"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "'eighty' is not a port number" in bad.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = subprocess.run(
            [sys.executable, "-m", "rtagents", "emulator", "--port", port],
            capture_output=True,
            text=True,
            timeout=20,
        )
    assert busy.returncode == 2 and "cannot listen" in busy.stderr


@rtagents.tool
def check_table(
    restaurant: str,
    date: datetime.date,
    party_size: int,
    time: str = "",
    seating: Literal["indoor", "outdoor"] = "indoor",
) -> str:
    """Whether a restaurant has a free table."""
    return "yes"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Is Chez Panisse free on 2026-12-24 for 4 people?",
            {"restaurant": "Chez Panisse", "date": "2026-12-24", "party_size": 4},
        ),
        (
            "Table for 2 at 'Noma' on 2027-01-02 at 7 pm",
            {"restaurant": "Noma", "date": "2027-01-02", "party_size": 2, "time": "7 pm"},
        ),
    ],
)
def test_the_rule_model_fills_arguments_by_their_schema(
    text: str, expected: dict[str, object]
) -> None:
    from rtagents.emulator import ModelContext, RuleModel

    ctx = ModelContext(
        items=[
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
        ],
        instructions="",
        tools=[check_table.definition().model_dump(exclude_unset=True)],
    )
    [call] = RuleModel().respond(ctx)
    arguments = {k: v for k, v in call.arguments.items() if k in expected}  # type: ignore[union-attr]
    assert arguments == expected
    check_table.parse_arguments(call.arguments_json)  # type: ignore[union-attr]  # valid for the tool
