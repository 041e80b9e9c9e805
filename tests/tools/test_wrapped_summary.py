"""A docstring's summary wrapped over two lines is the tool's description as written: no
paragraph break between its lines (the docstring parser takes the first line alone as the
summary, and the rest as the body)."""

from __future__ import annotations

import rtagents


@rtagents.tool
def weather(city: str) -> str:
    """Look up the weather for a city,
    in the unit the caller asks for.

    Cached for ten minutes.

    Args:
        city: The city.
    """
    return city


@rtagents.tool
def forecast(city: str) -> str:
    """The forecast.

    For the next three days.
    """
    return city


def test_a_wrapped_summary_keeps_its_lines_together() -> None:
    assert weather.description == (
        "Look up the weather for a city,\nin the unit the caller asks for.\n\n"
        "Cached for ten minutes."
    )


def test_a_summary_and_a_body_stay_paragraphs() -> None:
    assert forecast.description == "The forecast.\n\nFor the next three days."
