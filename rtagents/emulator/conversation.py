"""The emulator's conversation: ordered items with insert, delete, retrieve and truncate."""

from __future__ import annotations

import base64
import itertools
import os
import random
from typing import Any

from .errors import ClientEventError

_counter = itertools.count(1)
# Ids need only be unique, which the counter makes them; the suffix tells one process's from
# another's. They guard nothing, so they come from a PRNG seeded once from the OS rather than
# a system call for each of the dozens a turn makes.
_suffix = random.Random()
os.register_at_fork(after_in_child=_suffix.seed)  # a forked emulator's suffixes are its own
_ROLES = ("system", "user", "assistant")
_INPUT_TYPES = frozenset(
    {
        "message",
        "function_call",
        "function_call_output",
        "mcp_approval_request",
        "mcp_approval_response",
        "mcp_list_tools",
        "mcp_call",
        "item_reference",
    }
)
"""What ``response.input`` may hold: the spec's conversation items, and references to them."""


def new_id(prefix: str) -> str:
    """Ids shaped like the server's (``item_...``, ``resp_...``), unique per process."""
    return f"{prefix}_{next(_counter):06d}{_suffix.getrandbits(40):010x}"


class Conversation:
    """Items as wire dicts, in order. Audio is kept so that retrieve and truncate work."""

    def __init__(self) -> None:
        self.id = new_id("conv")
        self.items: list[dict[str, Any]] = []
        self.audio_sent = False
        """Whether assistant audio is in the conversation (the voice is then fixed)."""

    def index(self, item_id: str) -> int:
        for i, item in enumerate(self.items):
            if item.get("id") == item_id:
                return i
        return -1

    def get(self, item_id: str, *, param: str = "item_id") -> dict[str, Any]:
        i = self.index(item_id)
        if i < 0:
            raise ClientEventError(
                f"Item with item_id '{item_id}' not found in the conversation.",
                code="item_not_found",
                param=param,
            )
        return self.items[i]

    def previous_id(self, item_id: str) -> str | None:
        i = self.index(item_id)
        return self.items[i - 1].get("id") if i > 0 else None

    def add(self, item: dict[str, Any], previous_item_id: str | None = None) -> str | None:
        """Insert ``item`` (after ``previous_item_id``, at the start for ``root``, else at
        the end) and return the id of the item before it."""
        if "id" not in item or not item["id"]:
            item["id"] = new_id("item")
        elif self.index(item["id"]) >= 0:
            raise ClientEventError(
                f"Item with id '{item['id']}' already exists.",
                code="item_id_duplicate",
                param="item.id",
            )
        if previous_item_id is None:
            self.items.append(item)
        elif previous_item_id == "root":
            self.items.insert(0, item)
        else:
            i = self.index(previous_item_id)
            if i < 0:
                raise ClientEventError(
                    f"Previous item with id '{previous_item_id}' not found.",
                    code="previous_item_not_found",
                    param="previous_item_id",
                )
            self.items.insert(i + 1, item)
        return self.previous_id(item["id"])

    def delete(self, item_id: str) -> None:
        self.items.remove(self.get(item_id))

    def context(self, given: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """What a response sees: the conversation now, or its own ``input`` with each
        ``item_reference`` resolved. A malformed entry raises, naming it (``response.input[i]
        ...``), so that a response is refused before it starts, never left half-run."""
        if given is None:
            return list(self.items)  # a snapshot: the model sees this moment
        return [self._input_item(entry, f"response.input[{i}]") for i, entry in enumerate(given)]

    def _input_item(self, entry: dict[str, Any], param: str) -> dict[str, Any]:
        if entry.get("type") == "item_reference":
            if not entry.get("id"):
                raise _missing(f"{param}.id")
            return self.get(entry["id"], param=f"{param}.id")
        check_own_keys(entry, param)
        check_item(entry, param, references=True)
        return entry

    def has_call(self, call_id: str) -> bool:
        return any(
            item.get("type") == "function_call" and item.get("call_id") == call_id
            for item in self.items
        )


def check_own_keys(entry: dict[str, Any], param: str) -> None:
    """The emulator keeps its own records of an item in it, under keys that begin with
    "_" (its audio, how much was heard): never the client's to set, wherever it gives one."""
    private = next((key for key in entry if key.startswith("_")), None)
    if private is not None:
        raise ClientEventError(
            f"Unknown parameter: '{param}.{private}'.",
            code="unknown_parameter",
            param=f"{param}.{private}",
        )


def check_item(entry: dict[str, Any], param: str, *, references: bool) -> None:
    """Refuse what is not a conversation item of the spec's (a message of one of its roles;
    with ``references``, as ``response.input`` takes, an ``item_reference`` too)."""
    kind = entry.get("type")
    if kind == "message" and entry.get("role") not in _ROLES:
        if entry.get("role") is None:
            raise _missing(f"{param}.role")
        raise ClientEventError(
            f"Invalid value: '{entry['role']}'. Supported values are: "
            + ", ".join(f"'{r}'" for r in _ROLES)
            + ".",
            code="invalid_value",
            param=f"{param}.role",
        )
    if kind not in _INPUT_TYPES or (kind == "item_reference" and not references):
        where = "a response can take" if references else "of a conversation"
        raise ClientEventError(
            f"Invalid value: '{kind}'. It is not an item type {where}.",
            code="invalid_value",
            param=f"{param}.type",
        )


def _missing(param: str) -> ClientEventError:
    return ClientEventError(
        f"Missing required parameter: '{param}'.", code="missing_required_parameter", param=param
    )


def public_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item as events show it: no audio bytes and no emulator bookkeeping (``_`` keys)."""
    out = {k: v for k, v in item.items() if not k.startswith("_")}
    if "content" in out:
        out["content"] = [
            {k: v for k, v in part.items() if k != "audio"} for part in out["content"]
        ]
    return out


def full_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item as ``conversation.item.retrieved`` shows it: with its audio, base64."""
    out = {k: v for k, v in item.items() if not k.startswith("_")}
    pcm = item.get("_pcm")
    if pcm is not None and out.get("content"):
        out["content"] = [dict(out["content"][0], audio=base64.b64encode(pcm).decode())]
    return out
