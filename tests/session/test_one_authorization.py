"""One credential for the one ``Authorization`` header: ``api_key=`` and the URL's
``user:password@`` (which websockets sends as that header), or an ``Authorization`` header in
``headers=``, are two, and ``connect`` refuses them before connecting (a server would pick one
of two headers as it likes). The environment's key yields to the others."""

from __future__ import annotations

import pytest

from rtagents.errors import ConnectError
from rtagents.session.connect import endpoint

URL = "wss://api.openai.com/v1/realtime"


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("wss://gw:pass-123@api.openai.com/v1/realtime", None),
        (URL, {"authorization": "Bearer sk-header-1234567"}),
    ],
    ids=["userinfo", "header"],
)
def test_a_key_and_another_credential_are_refused(url: str, headers: dict[str, str]) -> None:
    with pytest.raises(ConnectError, match="two credentials") as refused:
        endpoint(url, "sk-given-12345678", headers, "gpt-realtime", None)
    assert "sk-" not in str(refused.value) and "pass-123" not in str(refused.value)


def test_the_environments_key_yields_to_a_header_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-123456789")
    header = {"Authorization": "Bearer sk-header-1234567"}
    _, sent = endpoint(URL, None, header, "gpt-realtime", None)
    assert sent == header


def test_a_key_alone_is_the_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    _, sent = endpoint(URL, "sk-given-12345678", {"X-Trace": "1"}, "gpt-realtime", None)
    assert sent == {"Authorization": "Bearer sk-given-12345678", "X-Trace": "1"}
