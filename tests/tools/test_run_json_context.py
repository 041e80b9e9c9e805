"""``run_json`` runs a tool outside a session "with the same steps" as the session; the
context it makes must hold the call's validated arguments (``ToolContext.arguments``: "the
validated arguments, by parameter name"), as the session's does."""

from __future__ import annotations

import anyio

import rtagents


@rtagents.tool
async def describe(city: str, ctx: rtagents.ToolContext) -> str:
    """Say what was asked."""
    return ",".join(f"{k}={v}" for k, v in ctx.arguments.items())


def test_run_json_gives_the_context_the_arguments() -> None:
    # run_json's context holds the validated arguments: with none, the tool would say "".
    assert anyio.run(describe.run_json, '{"city": "Oslo"}') == "city=Oslo"
