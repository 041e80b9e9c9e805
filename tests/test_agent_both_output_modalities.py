"""`Agent(output_modalities=["text", "audio"])`: accepted, then refused by every server.

`Agent.__post_init__` checks `output_modalities` when the agent is made, and its own message
says "the Realtime API takes ['audio'] or ['text']"; the emulator refuses both at once "like
the real server" (docs/emulator.md). Yet the pair is accepted when the agent is made, and the
mistake surfaces only at `connect`, as a `SessionConfigError` from the server. The check that
knows the rule should apply it, as it does for `["txt"]`.
"""

from __future__ import annotations

import pytest

import rtagents
from rtagents.emulator import Emulator


def test_both_modalities_are_refused_when_the_agent_is_made() -> None:
    with pytest.raises(ValueError, match="output_modalities"):
        rtagents.Agent(name="a", output_modalities=["text", "audio"])


@pytest.mark.anyio
async def test_the_server_refuses_them_at_connect() -> None:
    # What happens today, one step later: the emulator, like the real server, refuses them.
    try:
        agent = rtagents.Agent(name="a", output_modalities=["text", "audio"])
    except ValueError:
        return
    async with Emulator() as emu:
        with pytest.raises(rtagents.SessionConfigError, match="modalities"):
            async with rtagents.connect(agent, url=emu.url):
                pass
