"""A class-based decorator (``functools.update_wrapper(self, fn)``, the usual way to write one)
gives a callable object whose signature is the wrapped function's (``inspect.signature`` follows
``__wrapped__``) and whose ``__annotations__`` are the function's. Its hints are read from the
function it wraps (``inspect.unwrap``), so the tool is made with the function's parameters, and
it runs. Read from ``type(obj).__call__`` (``*args, **kwargs``) instead, the hints would
annotate none of the parameters the signature shows, and the tool would be refused. An object
with its own ``__signature__`` is described by the annotations that signature carries."""

from __future__ import annotations

import functools
import inspect
import json

import pytest

import rtagents


class traced:
    def __init__(self, fn):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)


@traced
def add(x: int, y: int = 1) -> int:
    """Add two numbers."""
    return x + y


def test_a_class_based_decorator_keeps_its_functions_hints() -> None:
    made = rtagents.tool(add)
    assert made.parameters["properties"] == {
        "x": {"type": "integer"},
        "y": {"default": 1, "type": "integer"},
    }


async def test_a_class_based_decorator_runs() -> None:
    made = rtagents.tool(add)
    assert await made.run_json(json.dumps({"x": 2})) == "3"


class Signed:
    def __init__(self) -> None:
        x = inspect.Parameter("x", inspect.Parameter.KEYWORD_ONLY, annotation=int)
        self.__signature__ = inspect.Signature([x])
        self.__annotations__ = {"x": int}

    def __call__(self, **kwargs: object) -> object:
        return kwargs


def test_an_object_with_its_own_signature_is_described_by_it() -> None:
    made = rtagents.tool(Signed(), name="signed", description="Signed.")
    assert made.parameters["properties"] == {"x": {"type": "integer"}}


pytestmark = pytest.mark.anyio
