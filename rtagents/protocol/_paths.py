"""Error locations as wire paths: ``session.audio.output.speed``, ``session.tools[1].name``."""

from __future__ import annotations

import functools
import re
from typing import Any

from ._base import WireModel

# pydantic puts the tag of each tagged union it passes through into an error's location;
# the wire has no such step, so these are left out of paths.
_UNION_TAGS = frozenset(
    {"message.system", "message.user", "message.assistant", "unknown"}
    | {"function_call", "function_call_output", "mcp_call", "mcp_list_tools"}
    | {"mcp_approval_request", "mcp_approval_response"}
    | {"realtime", "transcription", "function", "mcp", "server_vad", "semantic_vad"}
    | {"audio/pcm", "audio/pcmu", "audio/pcma"}
    | {"protocol_error", "tool_execution_error", "http_error"}
)
# Other steps pydantic names: ``constrained-int``, ``literal['auto']``, ``tagged-union[...]``.
_GENERATED = re.compile(r"^(constrained-\w+|\w[\w-]*\[.*\])$")


@functools.cache
def _model_names() -> frozenset[str]:
    # A smart-mode union names the member class it tried.
    found: set[str] = set()
    todo: list[type] = [WireModel]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return frozenset(found)


def wire_path(loc: tuple[Any, ...], root: str = "", *, event_union: bool = False) -> str:
    """Join a pydantic error location into the path a client would write.

    With ``event_union``, the first element is an event union's tag and is left out.
    """
    parts = [root] if root else []
    names = _model_names()
    for part in loc[1:] if event_union else loc:
        if isinstance(part, int):
            if parts:
                parts[-1] += f"[{part}]"
            else:
                parts.append(f"[{part}]")
        elif part in _UNION_TAGS or part in names or _GENERATED.match(str(part)):
            continue
        else:
            parts.append(str(part))
    return ".".join(parts)


def deepest_error(
    errors: list[Any], root: str = "", *, event_union: bool = False
) -> tuple[str, str]:
    """The most specific of pydantic's errors as ``(wire path, message)``.

    A value that fits no member of a union gets an error per member; the one that got
    furthest in names the field a person has to fix.
    """
    best = max(errors, key=lambda err: len(wire_path(err["loc"], event_union=event_union)))
    return wire_path(best["loc"], root, event_union=event_union), str(best["msg"])
