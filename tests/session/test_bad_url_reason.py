"""``connect(url=...)`` with a URL that cannot be read says what is wrong with it. Since
0913e59 ``endpoint`` drops the parser's reason (it may quote a password's part, read as the
port) and says instead "(a password's /, ? or # must be %-escaped)", for *every* such URL:
a port typo (``:99999``, ``:80a``) or an unclosed ``[`` in a URL with no password at all is
blamed on a password's escaping, and the real fault is named nowhere. (Before, the message
was "(Port out of range 0-65535)", "(Port could not be cast to integer value as '80a')",
"(Invalid IPv6 URL)".)"""

from __future__ import annotations

import pytest

from rtagents.errors import ConnectError
from rtagents.session.connect import endpoint


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("ws://127.0.0.1:99999/v1/realtime", "port"),
        ("ws://127.0.0.1:80a/v1/realtime", "port"),
        ("ws://[::1/v1", "ipv6"),
    ],
)
def test_a_bad_url_without_a_password_is_told_its_own_fault(url: str, said: str) -> None:
    with pytest.raises(ConnectError, match="not a URL") as caught:
        endpoint(url, None, None, "gpt-realtime", None)
    message = str(caught.value)
    assert "password" not in message, message  # it has none
    assert said in message.lower(), message
