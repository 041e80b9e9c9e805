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
def realtime(request: pytest.FixtureRequest) -> Realtime:
    """Run an agent offline against the emulator with a scripted model.

    ``record = await realtime.run(agent, [CallFunction("get_weather", {"city": "Paris"}), "Sunny."],
    say="Weather in Paris?")`` then ``record.assert_called("get_weather", city="Paris")``.

    rtagents runs on asyncio: where anyio's plugin runs a test on trio too (anyio 4.12 and
    later do, when trio is installed), that run is skipped, with the reason.
    """
    if "anyio_backend" in request.fixturenames:
        backend = request.getfixturevalue("anyio_backend")
        name = backend if isinstance(backend, str) else backend[0]
        if name != "asyncio":
            pytest.skip(f"rtagents runs on asyncio, not {name}")
    from rtagents.testing import Realtime

    return Realtime()
