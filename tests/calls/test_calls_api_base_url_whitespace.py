"""A ``base_url`` read from a file or a ``.env`` line may end in a line break: it goes, as
around a key. A control character inside one is a ``ValueError`` when the ``CallsAPI`` is
made, not httpx's bare ``InvalidURL`` out of each request."""

from __future__ import annotations

import pytest

from rtagents.calls import CallsAPI


def test_whitespace_around_a_base_url_goes() -> None:
    api = CallsAPI(None, " http://127.0.0.1:9/v1/\n")
    assert api.base_url == "http://127.0.0.1:9/v1"
    assert api.websocket_url() == "ws://127.0.0.1:9/v1/realtime"


@pytest.mark.parametrize("base", ["http://127.0.0.1:9/v\n1", "http://127.0.0.1:9/v1\t/x"])
def test_a_control_character_inside_a_base_url_is_refused_when_made(base: str) -> None:
    with pytest.raises(ValueError, match="control character"):
        CallsAPI(None, base)
