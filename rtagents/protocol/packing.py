"""A model kept as text: its class (as a small number) and its JSON, neither of which the
garbage collector tracks, and the model again from them. For what is kept long, in bulk
(a conversation's journal): a model, its ``__dict__`` and its set of fields are tracked, and
a full collection scans every one of them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ._base import wire_json

_CLASSES: list[type[BaseModel]] = []  # a class is tracked: a packed model holds its index
_INDEX: dict[type[BaseModel], int] = {}


def pack(model: BaseModel) -> tuple[int, str]:
    """``model`` as its class's number and its JSON (the fields it was given, as given)."""
    cls = type(model)
    index = _INDEX.get(cls)
    if index is None:
        index = _INDEX[cls] = len(_CLASSES)
        _CLASSES.append(cls)
    return index, wire_json(model)


def unpack(index: int, text: str) -> Any:
    """The model ``pack`` gave ``(index, text)`` for: a new copy, equal to it."""
    return _CLASSES[index].model_validate_json(text)
