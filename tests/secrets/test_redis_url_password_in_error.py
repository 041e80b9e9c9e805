"""RedisRegistry's docstring: "A password in it is never logged or shown in the repr", and
failures.md: errors show a URL without a password, "one holding an unescaped /, ? or #
included". A Redis URL whose password holds such a character (an unescaped generated
password) makes ``RedisRegistry(url)`` raise redis-py's ValueError, which quotes the password
(up to that character) as the URL's "port"."""

from __future__ import annotations

import traceback

import pytest

pytest.importorskip("redis")

PASSWORD_HEAD = "Zq8rT2vLx9Wk"


@pytest.mark.parametrize("tail", ["/a1", "#a1", "?a1"])
def test_a_password_with_a_reserved_character_is_not_quoted_by_the_registry(tail: str) -> None:
    from rtagents.calls import RedisRegistry

    url = f"redis://default:{PASSWORD_HEAD}{tail}@127.0.0.1:6379/0"
    try:
        registry = RedisRegistry(url)
    except Exception as exc:  # a refusal is fine, one that quotes the password is not
        shown = "".join(traceback.format_exception(exc))
        assert PASSWORD_HEAD not in shown, str(exc)
    else:
        assert PASSWORD_HEAD not in repr(registry)
