"""A session URL read from a file or an environment variable often ends in a line break:
the whitespace around it goes (as around a key, and ``CallsAPI``'s base URL); a control
character inside it is refused as "not a URL"."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


async def test_a_url_ending_in_a_line_break_connects() -> None:
    async with hostile_server() as server:
        with anyio.fail_after(10):
            async with rtagents.connect(
                rtagents.Agent(name="a"), url=server.url + "\n", reconnect=None
            ):
                assert server.ws is not None


def test_a_control_character_inside_a_url_is_refused() -> None:
    from rtagents.session.connect import endpoint

    with pytest.raises(rtagents.ConnectError, match="control character"):
        endpoint("ws://127.0.0.1:9/v1/re\nal", None, None, "gpt-realtime", None)
