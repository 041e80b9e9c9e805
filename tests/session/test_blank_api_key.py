"""docs/session.md: ``connect(agent)`` is keyed by "``api_key=`` or ``OPENAI_API_KEY``, else a
``ConnectError`` before connecting". A key that is only whitespace (``api_key=open(path).read()``
of an empty file, ``OPENAI_API_KEY=" "``) is stripped to nothing by ``credential`` *after* the
"no key" check: the session goes on to api.openai.com with ``Authorization: Bearer `` and no
key, and the user later gets a 401 instead of the clear "no OpenAI API key" up front."""

from __future__ import annotations

import pytest

from rtagents.errors import ConnectError
from rtagents.session.connect import endpoint


@pytest.mark.parametrize("blank", ["   ", "\n"])
def test_a_blank_api_key_is_no_key(blank: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    try:
        url, headers = endpoint(None, blank, None, "gpt-realtime", None)
    except ConnectError as exc:
        assert "no OpenAI API key" in str(exc)
    else:
        pytest.fail(f"opened {url} with headers {headers}")


def test_a_blank_environment_key_is_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "  ")
    try:
        url, headers = endpoint(None, None, None, "gpt-realtime", None)
    except ConnectError as exc:
        assert "no OpenAI API key" in str(exc)
    else:
        pytest.fail(f"opened {url} with headers {headers}")
