"""A test that waits in ``async for event in session`` and ``break``s on what it waits for
must fail when the stream ends first: without an ``else: pytest.fail(...)`` the loop just
stops, and whatever the test asserts next may pass on a session that died early."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _breaks_out(loop: ast.AsyncFor) -> bool:
    """Whether a ``break`` of this loop's own (not of a loop inside it) is in its body."""
    pending: list[ast.AST] = list(loop.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Break):
            return True
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, _LOOPS):
            pending.extend(node.orelse)  # an inner loop's else: breaks out of ours
            continue
        pending.extend(ast.iter_child_nodes(node))
    return False


def _unguarded(path: Path) -> list[int]:
    tree = ast.parse(path.read_text())
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.AsyncFor) and not node.orelse and _breaks_out(node)
    ]


def test_every_waiting_loop_fails_when_the_stream_ends_first() -> None:
    found = {
        str(path.relative_to(TESTS)): lines
        for path in sorted(TESTS.rglob("*.py"))
        if path.parent.name != "typing" and (lines := _unguarded(path))
    }
    assert not found, f"async for ... break with no else: pytest.fail(...): {found}"


def test_the_check_sees_a_loop_without_else(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "async def f(s):\n"
        "    async for e in s:\n"
        "        for x in e:\n"
        "            break\n"  # the inner loop's own: not counted
        "    async for e in s:\n"
        "        if e:\n"
        "            break\n"
    )
    assert _unguarded(sample) == [5]
