"""Function tools: a typed, documented function becomes a tool the model calls.

python examples/tools_basics.py            # against the embedded emulator
python examples/tools_basics.py --real     # against the OpenAI Realtime API (OPENAI_API_KEY)
"""

from __future__ import annotations

import sys
from typing import Literal

import anyio

import rtagents
from rtagents.emulator import Emulator, RuleModel


@rtagents.tool
def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
    """Current weather for a city.

    Args:
        city: City name, e.g. "Paris".
        unit: Temperature unit.
    """
    degrees = 18 if unit == "celsius" else 64
    return f"{degrees} degrees and sunny in {city}"


agent = rtagents.Agent(
    name="weather",
    instructions="You tell people the weather. Use get_weather.",
    tools=[get_weather],
    output_modalities=["text"],
)


async def converse(url: str | None) -> list[str]:
    lines: list[str] = []
    async with rtagents.connect(agent, url=url) as session:
        await session.send_text("What's the weather in Paris?")
        async for event in session:
            if event.type == "tool.call.completed":
                lines.append(f"[tool] {event.name} -> {event.output}")
            elif event.type == "response.output_text.done":
                lines.append(f"assistant: {event.text}")
            elif event.type == "response.done" and event.response.output[0].type == "message":
                break
    return lines


async def main(real: bool = False) -> list[str]:
    if real:
        return await converse(url=None)
    async with Emulator(model=RuleModel()) as emu:
        return await converse(url=emu.url)


if __name__ == "__main__":
    for line in anyio.run(main, "--real" in sys.argv):
        print(line)
