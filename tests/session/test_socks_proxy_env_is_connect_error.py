"""websockets routes a connection through the proxy the environment names (``HTTP_PROXY``
for ``ws://``). A SOCKS proxy there, with ``python-socks`` not installed, is a
``ConnectError`` naming the setting, not websockets' bare ``ImportError``."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.errors import ConnectError
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


async def test_a_socks_proxy_in_the_environment_is_a_connect_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("websockets.asyncio.client")
    try:
        import python_socks  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("python-socks is installed")
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:9")
    async with hostile_server() as server:
        with anyio.fail_after(10):
            try:
                async with rtagents.connect(
                    rtagents.Agent(name="a"), url=server.url, reconnect=None
                ):
                    pass
            except ConnectError:
                pass
            except Exception as exc:
                pytest.fail(f"connect raised {type(exc).__name__}: {exc}")
