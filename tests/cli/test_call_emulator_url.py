"""``rtagents call --emulator URL`` never prints the URL's credentials: a password in it (an
emulator behind a proxy with basic auth) or a token in its query. It shows the URL redacted
(``redact_url``) and registers its secrets, so that what a failed request says hides them too.
The --webhook URL is redacted the same way (``_webhook_failure``), and so is ``run --url``.
Printed as given, the credentials would reach the terminal and CI logs."""

from __future__ import annotations

import pytest

from tests.cli.harness import rtagents

SECRET = "whsec_c2VjcmV0"


@pytest.mark.parametrize(
    "emulator",
    ["http://user:pw-s3cret-99@127.0.0.1:1/v1", "http://127.0.0.1:1/v1?key=tok-s3cret-99"],
)
def test_the_emulator_urls_credentials_are_not_printed(emulator: str) -> None:
    done = rtagents(
        "call",
        "--webhook",
        "http://127.0.0.1:1/openai/webhook",
        "--secret",
        SECRET,
        "--emulator",
        emulator,
    )
    assert done.returncode == 2
    assert "s3cret-99" not in done.stdout + done.stderr, done.stderr
