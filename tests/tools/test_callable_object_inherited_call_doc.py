"""A callable object whose ``__call__`` has no docstring must be described by its class's
own docstring (docs/tools.md: "A callable object is described by its ``__call__``'s
docstring ..., else by its class's own").

``inspect.getdoc(type(obj).__call__)`` inherits a docstring when the method has none, and for
``__call__`` it finds ``type.__call__``'s ("Call self as a function."), which is then sent to
the model as the tool's description, and the class's text is never read.
"""

from __future__ import annotations

import rtagents


class Weather:
    """Get the current weather for a city."""

    def __call__(self, city: str) -> str:
        return f"sunny in {city}"


def test_class_docstring_describes_a_callable_whose_call_has_none() -> None:
    weather = rtagents.tool(Weather())
    assert weather.description == "Get the current weather for a city.", weather.description


class Lookup(dict):  # type: ignore[type-arg]
    def __call__(self, key: str) -> str:
        return str(self.get(key))


class Documented:
    def __call__(self, key: str) -> str:
        """Look a key up.

        Args:
            key: What to look up.
        """
        return key


class Inherits(Documented):
    def __call__(self, key: str) -> str:
        return key.upper()


def test_a_builtin_base_describes_nothing() -> None:
    """Neither ``dict``'s constructor text nor ``object``'s is a tool's description."""
    described = rtagents.tool(Lookup()).description
    assert "dict" not in described and "Call self" not in described


def test_a_documented_base_call_still_describes_an_override_without_one() -> None:
    tool = rtagents.tool(Inherits())
    assert tool.description == "Look a key up."
    assert tool.definition().parameters["properties"]["key"]["description"] == "What to look up."
