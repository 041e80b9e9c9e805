"""A docstring that is only an ``Args:`` section (the tool's description given with
``description=``, the docstring left to the parameters) must still describe the parameters,
and never become the tool's description as raw text."""

from __future__ import annotations

import rtagents


def test_an_args_only_docstring_describes_the_parameters() -> None:
    @rtagents.tool(description="Current weather for a city.")
    def weather(city: str) -> str:
        """
        Args:
            city: City name, e.g. "Paris".
        """
        return "sunny"

    city = weather.definition().parameters["properties"]["city"]
    assert city.get("description") == 'City name, e.g. "Paris".', city


def test_an_args_only_docstring_is_not_the_tools_description() -> None:
    @rtagents.tool
    def weather(city: str) -> str:
        """Args:
        city: City name.
        """
        return "sunny"

    assert "Args:" not in weather.description, weather.description
    assert weather.parameters["properties"]["city"].get("description") == "City name."
