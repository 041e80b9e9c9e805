"""A URL ``urlsplit`` refuses (an unclosed ``[``, typed for an IPv6 host) is still read for
its credentials, never a ``ValueError`` from the code that hides them: ``rtagents call
--emulator 'http://[::1/v1'`` ended in a traceback from ``register_url_secrets``."""

from __future__ import annotations

from rtagents._redact import url_credentials, url_secrets

TOKEN = "tok3n-9f8e7d6c5b4a"


def test_the_query_of_a_url_that_does_not_parse_is_found() -> None:
    url = f"http://[::1/v1?token={TOKEN}#x"
    assert TOKEN in url_secrets(url)
    assert TOKEN in url_credentials(url)


def test_a_password_of_a_url_that_does_not_parse_is_found() -> None:
    assert "hunter2" in url_secrets("https://me:hunter2@[::1/v1")
