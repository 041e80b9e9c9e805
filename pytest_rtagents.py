"""rtagents' pytest plugin: the ``realtime`` fixture, registered when rtagents is installed.

pytest loads every installed plugin at the start of every run, whatever it tests, so this
module imports pytest alone; rtagents is imported when a test asks for the fixture. It lives
outside the ``rtagents`` package because importing any module inside it runs the package's
``__init__``, which imports the framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from rtagents.testing import Realtime


@pytest.fixture
def realtime() -> Realtime:
    """Run an agent offline against the emulator with a scripted model.

    ``record = await realtime.run(agent, [CallFunction("get_weather", {"city": "Paris"}), "Sunny."],
    say="Weather in Paris?")`` then ``record.assert_called("get_weather", city="Paris")``.
    """
    from rtagents.testing import Realtime

    return Realtime()
