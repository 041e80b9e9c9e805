"""Rule broken: a callable object's tool is described by its ``__call__``'s docstring, else
by its class's own (docs/tools.md); text the user never wrote is never a tool's description
(commit 5f4a00c: "a built-in's text ... is never a tool's description"; ``_class_doc``: never
the signature ``dataclasses`` writes for a class that has none).

``_inherited`` walks the MRO and skips only classes of the ``builtins`` module. A callable
class without a docstring of its own that derives from a library base (``abc.ABC``,
``typing.Generic``, ``pydantic.BaseModel``) or from an undocumented dataclass is described
to the model by that base's text: ABC's "Helper class that provides a standard way to create
an ABC using inheritance.", Generic's "Abstract base class for generic types...", pydantic's
usage notes, or the dataclass's constructor signature ``Base(unit: str = 'C')``.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import Generic, TypeVar

import pydantic
import pytest

import rtagents

T = TypeVar("T")


class ViaABC(abc.ABC):  # noqa: B024 - a user class that merely derives from ABC
    def __call__(self, city: str) -> str:
        return city


class ViaGeneric(Generic[T]):
    def __call__(self, city: str) -> str:
        return city


class ViaPydantic(pydantic.BaseModel):
    def __call__(self, city: str) -> str:
        return city


@dataclasses.dataclass
class Base:
    unit: str = "C"

    def __call__(self, city: str) -> str:
        return city


class ViaDataclass(Base):
    pass


class Plain:
    def __call__(self, city: str) -> str:
        return city


@pytest.mark.parametrize("make", [ViaABC, ViaGeneric, ViaPydantic, ViaDataclass])
def test_a_library_base_describes_no_tool(make: type) -> None:
    """Described as an undocumented callable of no base is (whatever that is)."""
    description = rtagents.tool(make()).description
    expected = rtagents.tool(Plain()).description
    assert description == expected, f"{make.__name__}'s tool is described as: {description[:120]!r}"
