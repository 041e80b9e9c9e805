"""What the model reads for a wrong argument whose type is a union names the argument, not
pydantic's internal tag for each branch it tried. The tags are written as if they were keys
inside the argument ("v.int", "p.Cat.kind"), and for a ``Literal`` of Enum members (which
``_schema._readable`` rewrites into an ``AfterValidator``) the tag is that validator's own
repr: "color.function-after[__getitem__(), literal['red']]". A model told to fix "v.int"
or "p.Cat.meows" is pointed at keys that do not exist in the schema it was given.

Fault: ``function_tool.describe_validation_error`` joins ``err["loc"]`` as it is; a union
member's tag is a part of ``loc`` for pydantic, not a key of the arguments."""

from __future__ import annotations

import enum
from typing import Literal

import pytest
from pydantic import BaseModel

import rtagents
from rtagents.tools import ToolArgumentsError


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Cat(BaseModel):
    kind: Literal["cat"]
    meows: bool


class Dog(BaseModel):
    kind: Literal["dog"]
    barks: bool


@rtagents.tool
def pick(
    count: int | list[int] = 0,
    color: Literal[Color.RED] | int = 1,
    pet: Cat | Dog | None = None,
) -> str:
    """Pick things."""
    return "ok"


def _message(arguments: str) -> str:
    with pytest.raises(ToolArgumentsError) as info:
        pick.parse_arguments(arguments)
    return str(info.value)


def test_a_union_of_scalars_names_the_argument_not_a_branch_as_a_key() -> None:
    message = _message('{"count": "abc"}')
    assert "count" in message
    # Today: "count.int: ...; count.list[int]: ..." (keys "int" and "list[int]" of count).
    assert "count.int" not in message, message
    assert "count.list[int]" not in message, message


def test_a_literal_of_enum_members_in_a_union_does_not_leak_the_validator() -> None:
    message = _message('{"color": "blue"}')
    # Today: "color.function-after[__getitem__(), literal['red']]: Input should be 'red' ..."
    assert "function-after" not in message, message
    assert "__getitem__" not in message, message


def test_a_union_of_models_names_real_keys_only() -> None:
    message = _message('{"pet": {"kind": "dog"}}')
    # Today: "pet.Cat.kind: ...; pet.Cat.meows: required but missing; pet.Dog.barks: ..."
    # There is no key "Cat" or "Dog" in pet: the model would be told to send one.
    assert "pet.Cat." not in message, message
    assert "pet.Dog." not in message, message
