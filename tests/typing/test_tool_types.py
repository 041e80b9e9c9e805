"""``Agent.tools`` and the call pipeline's settings have real types: mypy --strict accepts
every kind of tool an agent takes and rejects what is not one."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

from rtagents.session.calls import CallSettings

from .user_mypy import mypy

GOOD = """\
import rtagents
from rtagents.mcp import MCPServerStdio
from rtagents.agent import AgentTool
from rtagents.tools import BaseTool, Toolset


@rtagents.tool
def ping() -> str:
    \"\"\"Ping.\"\"\"
    return "pong"


toolset = Toolset("extra", [ping])
docs = rtagents.HostedMCP(server_label="docs", server_url="https://example.com/mcp")
local = MCPServerStdio(command="python", args=["server.py"])
agent = rtagents.Agent(name="a", tools=[ping, toolset, docs, local])
tools: list[AgentTool] = list(agent.tools)
first: BaseTool | Toolset | rtagents.HostedMCP | rtagents.mcp.MCPServer = agent.tools[0]
"""


def test_every_kind_of_tool_an_agent_takes_type_checks(tmp_path: Path) -> None:
    result = mypy(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout


def test_what_is_not_a_tool_is_caught_by_the_type_checker(tmp_path: Path) -> None:
    result = mypy(
        tmp_path,
        "import rtagents\n\n"
        "def get_weather(city: str) -> str:\n"
        "    return city\n\n"
        "agent = rtagents.Agent(name='a', tools=[get_weather])  # forgot @rtagents.tool\n",
    )
    assert result.returncode == 1 and "user_code.py:6: error" in result.stdout, result.stdout
    assert "BaseTool | Toolset | HostedMCP | MCPServer" in result.stdout, result.stdout


def test_call_settings_have_no_field_typed_any_but_the_apps_deps() -> None:
    hints = typing.get_type_hints(CallSettings)
    untyped = sorted(name for name, hint in hints.items() if hint is Any)
    assert untyped == ["deps"]


DECORATED = """\
import rtagents
from rtagents import ToolContext


@rtagents.tool
def get_weather(city: str, unit: str = "celsius") -> str:
    \"\"\"The weather.\"\"\"
    return city


@rtagents.tool(timeout=3)
async def count(city: str) -> int:
    \"\"\"Count.\"\"\"
    return 1


@rtagents.tool
def with_ctx(ctx: ToolContext, q: str) -> str:
    \"\"\"Q.\"\"\"
    return q


class Shop:
    @rtagents.tool
    def price(self, item: str) -> float:
        \"\"\"Price.\"\"\"
        return 1.0


def forecast(city: str) -> str:
    return get_weather(city, unit="kelvin")


async def main() -> float:
    n: int = await count("x")
    return n + Shop().price("apple")


agent = rtagents.Agent(name="a", tools=[get_weather, count, with_ctx, Shop().price])
tools: list[rtagents.FunctionTool] = [get_weather, count]
"""


def test_a_decorated_function_keeps_its_parameters_and_result_for_the_checker(
    tmp_path: Path,
) -> None:
    result = mypy(tmp_path, DECORATED)
    assert result.returncode == 0, result.stdout
    result = mypy(
        tmp_path,
        DECORATED
        + "get_weather(42)\n"
        + "async def wrong() -> str:\n"
        + "    return await count('x')\n",
    )
    assert result.returncode == 1, result.stdout
    assert 'incompatible type "int"; expected "str"' in result.stdout, result.stdout
    assert 'Incompatible return value type (got "int", expected "str")' in result.stdout
