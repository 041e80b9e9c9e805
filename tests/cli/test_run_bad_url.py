"""``rtagents run --url`` with a malformed URL: a traceback (exit 1), not the one line every
other bad URL gets (``rtagents run: ...``, exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.harness import AGENT, rtagents


@pytest.mark.parametrize(
    "url",
    ["ws://127.0.0.1:99999/v1/realtime", "ws://127.0.0.1:80a/v1/realtime", "ws://[::1/v1"],
)
def test_a_malformed_url_is_one_line(tmp_path: Path, url: str) -> None:
    (tmp_path / "my_agent.py").write_text(AGENT)
    done = rtagents("run", "my_agent:agent", "--url", url, "--say", "hi", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr[-400:]
    assert done.returncode == 2 and done.stderr.startswith("rtagents run: "), done.stderr
