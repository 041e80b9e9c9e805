"""A callable object whose class docstring says what the tool does, and whose ``__call__``
documents only its arguments (the usual split: the class is the tool, ``__call__`` its
parameters), now gets an empty description.

``_docstrings._documented`` takes the ``__call__``'s docstring whenever it has one, and the
class's text is never read: before the change the description was the class's docstring.
The docs (tools.md) say a callable object is described by ``__call__``'s docstring "else by
its class's own": a ``__call__`` docstring with no text should leave the class's text.
"""

from __future__ import annotations

import rtagents


class Weather:
    """Get the current weather for a city."""

    def __call__(self, city: str) -> str:
        """
        Args:
            city: The city to look up.
        """
        return f"sunny in {city}"


def test_the_class_text_describes_the_tool_when_call_has_none() -> None:
    weather = rtagents.tool(name="weather")(Weather())
    assert weather.description == "Get the current weather for a city.", (
        f"description {weather.description!r}"
    )
    # (what __call__ documents is kept: its parameter's description)
    assert weather.parameters["properties"]["city"].get("description") == "The city to look up."
