"""A URL whose host has an empty label (a typo: ``wss://api..openai.com``) or a label over 63
characters is a ``ConnectError``, as every other URL that cannot be reached is, not the
resolver's bare ``UnicodeError``."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.errors import ConnectError

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "url",
    ["ws://api..example.invalid/v1/realtime", f"ws://{'a' * 64}.invalid/v1/realtime"],
    ids=["empty-label", "long-label"],
)
async def test_a_host_with_a_bad_label_is_a_connect_error(url: str) -> None:
    with anyio.fail_after(10):
        try:
            async with rtagents.connect(rtagents.Agent(name="a"), url=url, reconnect=None):
                pass
        except ConnectError:
            pass
        except Exception as exc:
            pytest.fail(f"connect raised {type(exc).__name__}: {exc}")
        else:
            pytest.fail("connected to a host that cannot exist")
