"""The base of every wire model: unknown fields are kept, and tag fields are always sent."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

# Fields that route an object on the wire (``type``, and ``role`` for messages).
_TAG_FIELDS = ("type", "role")


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
