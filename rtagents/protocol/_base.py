"""The base of every wire model: unknown fields are kept, and tag fields are always sent;
and how a model becomes the JSON a frame carries."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticSerializationError

from .._redact import redact_url

# Fields that route an object on the wire (``type``, and ``role`` for messages).
_TAG_FIELDS = ("type", "role")

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING = json.JSONEncoder(ensure_ascii=False).encode


def wire_json(model: BaseModel) -> str:
    """``model`` as the JSON text of a frame: the fields it was given, as given.

    Text that UTF-8 cannot carry, a lone surrogate (what ``os.fsdecode`` gives for a file
    name that is not UTF-8, say, in a tool's result or error), goes as U+FFFD: the rest of
    the text gets through, and the frame can be sent. Any other failure is raised."""
    try:
        return model.model_dump_json(exclude_unset=True)
    except PydanticSerializationError:
        text = json.dumps(
            model.model_dump(mode="json", exclude_unset=True),
            ensure_ascii=False,
            separators=(",", ":"),
        )
        if not _LONE_SURROGATE.search(text):
            raise
        return _LONE_SURROGATE.sub("\ufffd", text)


def json_string(text: str) -> str:
    """``text`` as a JSON string, as ``wire_json`` writes it: UTF-8 as it is, and a lone
    surrogate as U+FFFD (for a frame built directly, without a model)."""
    if not text.isascii() and _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub("\ufffd", text)
    return _STRING(text)


class WireModel(BaseModel):
    """A JSON object of the Realtime protocol.

    Fields the spec does not name are kept (``extra="allow"``) so that a newer server's
    additions survive a decode/encode round trip. Encoding leaves out every field the
    caller did not set, except the tag fields, which the server needs to dispatch.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    _default_tags: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._default_tags = frozenset(
            name
            for name in _TAG_FIELDS
            if name in cls.model_fields and cls.model_fields[name].default is not None
        )

    def model_post_init(self, context: Any, /) -> None:
        # A tag given by default still counts as set: without it, ``exclude_unset``
        # would drop the tag and the server could not route the object.
        if self._default_tags:
            self.__pydantic_fields_set__.update(self._default_tags)


class ServerEventBase(WireModel):
    """Every server event has an ``event_id``."""

    event_id: str


ReprArgs = Iterable[tuple[str | None, Any]]


def url_hidden(args: ReprArgs) -> Iterator[tuple[str | None, Any]]:
    """A hosted MCP server's repr arguments, its ``server_url`` without what may be its
    credentials (a password, a query, a path that may be a token), as errors show URLs."""
    for name, value in args:
        hidden = name == "server_url" and isinstance(value, str)
        yield name, (redact_url(value, path=False) if hidden else value)
