"""The discriminators of the Live models' unions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def by_type(
    tags: Mapping[str, str], *, default: str | None = None, other: str = "unknown"
) -> Callable[[Any], str]:
    """A union's discriminator: the tag ``tags`` gives the ``type`` of a dict or a model
    (``default`` when a dict has none), ``other`` for any other type.

    Where a member has a field named like its ``type`` (``responses``, ``choice``), its tag
    must differ from the type: the lenient decoder follows an error's location through the
    frame's keys, and a tag found as a key would lead it into that field.
    """

    def tag(value: Any) -> str:
        # ``type(...) is`` first: a frame's dicts and strings take no isinstance call.
        if type(value) is dict or isinstance(value, dict):
            kind = value.get("type", default)
        else:
            kind = getattr(value, "type", None)
        # Frames are untrusted: a list or dict here must not reach a dict lookup.
        return tags.get(kind, other) if type(kind) is str or isinstance(kind, str) else other

    return tag
