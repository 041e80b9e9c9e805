"""Every example runs against the emulator, and says what it should."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import anyio
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


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
}


def test_every_example_is_tested() -> None:
    found = {p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_")}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = anyio.run(load(name).main)
    for needle in EXPECTED[name]:
        assert any(needle in line for line in lines), (needle, lines)
