"""``rtagents run --url`` with a malformed URL (a port out of range or not a number, an unclosed
``[``) fails as every other bad URL does: one line, ``rtagents run: ...``, and exit 2.
``endpoint`` reads the URL, its port included, before any connection is tried, and raises a
``ConnectError`` ("not a URL"), never a traceback (exit 1)."""

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
