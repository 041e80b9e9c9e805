"""misuse that passes silently or fails with an unrelated message.

1. A docstring's ``Args:`` entry that names no parameter (a typo, or a renamed parameter)
   is dropped without a word (tools/_docstrings.py, _schema.build_signature reads only the
   names it has): the model never sees the description the author wrote. Right: warn (or
   raise) at decoration, naming the tool and the unknown names.
2. ``rtagents.connect(`` something that is not an Agent ``)`` fails deep inside with
   ``AttributeError: 'str' object has no attribute 'model'``. Right: a TypeError naming
   connect's ``agent`` parameter.
"""

from __future__ import annotations

import warnings

import anyio
import pytest

import rtagents


def test_docstring_args_that_name_no_parameter_are_reported() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:

            @rtagents.tool
            def get_weather(city: str) -> str:
                """Current weather.

                Args:
                    citty: City name, e.g. "Paris".
                """
                return city

        except (TypeError, ValueError):
            return
    assert any("citty" in str(w.message) for w in caught), "the typo is silently dropped"


def test_connect_with_something_not_an_agent_is_a_clear_type_error() -> None:
    async def main() -> None:
        async with rtagents.connect("concierge", url="ws://127.0.0.1:9/v1/realtime"):  # type: ignore[arg-type]
            pass

    with pytest.raises(TypeError, match="Agent"):
        anyio.run(main)


@pytest.mark.parametrize(
    "options",
    [
        {"needs_approval": "yes"},
        {"trigger_response": "no"},
        {"cancel_on_interrupt": 1},
        {"inline": "true"},
    ],
)
def test_an_option_of_the_wrong_type_is_refused_not_read_as_true(
    options: dict[str, object],
) -> None:
    def lookup(q: str) -> str:
        """Look it up."""
        return q

    with pytest.raises(TypeError, match=next(iter(options))):
        rtagents.tool(**options)(lookup)  # type: ignore[call-overload]
