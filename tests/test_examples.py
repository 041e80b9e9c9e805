"""Every example runs against the emulator, and says what it should."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import anyio
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))  # examples import their shared helpers, as when run as scripts


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


EXPECTED: dict[str, list[str]] = {
    "tools_basics": [
        "[tool] get_weather -> 18 degrees and sunny in Paris",
        "assistant: 18 degrees and sunny in Paris.",
    ],
    "voice_confirmation": [
        "Say yes to confirm",
        "user (voice): Yes, go ahead.",
        "[approval] approved by user",
        "assistant: The premium plan is cancelled.",
    ],
    "local_mcp": [
        "[calendar_stdio] list_events -> 09:00 stand-up, 14:00 dentist",
        "[calendar_stdio] add_event -> added 'lunch with Ann' on friday",
        "[calendar_http] list_events -> 09:00 stand-up, 14:00 dentist",
        "[calendar_http] add_event -> added 'lunch with Ann' on friday",
    ],
    "hosted_mcp": [
        "[hosted] list_events -> 09:00 stand-up, 14:00 dentist",
        "[approval] calendar.add_event(day='friday', what='yoga') approved=True by rule",
        "[hosted] add_event -> added 'yoga' on friday",
        "assistant: add_event says: added 'yoga' on friday.",
    ],
}
HELPERS = {"calendar_server"}  # imported by examples, not run on their own


def test_every_example_is_tested() -> None:
    found = {p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_")}
    assert found == set(EXPECTED) | HELPERS


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = anyio.run(load(name).main)
    for needle in EXPECTED[name]:
        assert any(needle in line for line in lines), (needle, lines)
