"""A pytest plugin: the ``realtime`` fixture (registered when rtagents is installed)."""

from __future__ import annotations

import pytest

from .harness import Realtime


@pytest.fixture
def realtime() -> Realtime:
    """Run an agent offline against the emulator with a scripted model.

    ``record = await realtime.run(agent, [CallFunction("get_weather", {"city": "Paris"}), "Sunny."],
    say="Weather in Paris?")`` then ``record.assert_called("get_weather", city="Paris")``.
    """
    return Realtime()
