"""``rtagents call --emulator URL`` prints the URL as given: a password in it (an emulator
behind a proxy with basic auth) or a query token reaches the terminal and CI logs, although
the --webhook URL's are redacted (``_webhook_failure``) and so are ``run --url``'s."""

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
