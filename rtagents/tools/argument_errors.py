"""What the model is told of arguments that do not fit a tool's schema: one sentence per
wrong argument, its place named by the keys and indexes the model sent."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError


def describe_validation_error(tool_name: str, exc: ValidationError, sent: Any = None) -> str:
    """One readable sentence per wrong argument, naming it and what was expected (``sent``:
    the arguments as the model sent them, through which each error's place is named)."""
    said: dict[tuple[str, str], list[str]] = {}  # (its place, what was sent) -> what is wrong
    for err in exc.errors(include_url=False):
        kind = err["type"]
        path, branch = _place(err["loc"], sent, keep_last=kind in ("missing", "extra_forbidden"))
        where = ".".join(path) or "arguments"
        where += f" (as {branch})" if branch else ""
        if kind == "json_invalid":
            wrong = f"the arguments are not valid JSON ({err['msg']})"
        elif kind == "extra_forbidden":
            nested = len(path) > 1
            wrong = "unknown key (not in the schema)" if nested else "not a parameter of this tool"
        elif kind == "missing":
            wrong = "required but missing"
        else:  # a union's branches each say what they wanted of the same value: one sentence
            got = repr(err.get("input"))
            shown = got if len(got) <= 60 else got[:57] + "..."
            said.setdefault((where, shown), []).append(err["msg"])
            continue
        said[(wrong, "") if kind == "json_invalid" else (f"{where}: {wrong}", "")] = []
    sentences = [
        f"{where}: {' or '.join(dict.fromkeys(wanted))} (got {shown})" if wanted else where
        for (where, shown), wanted in said.items()
    ]
    return f"invalid arguments for {tool_name}: " + "; ".join(sentences)


def sent_as_json(arguments: str) -> Any:
    """The arguments as sent, to name an error's place by (``None`` if they are no JSON)."""
    try:
        return json.loads(arguments or "{}")
    except (ValueError, RecursionError):  # (nested past the parser's depth)
        return None


def _place(loc: tuple[Any, ...], sent: Any, *, keep_last: bool) -> tuple[list[str], str]:
    """An error's location as the keys and indexes of what was sent, and the model of a
    union it was read as. pydantic puts the union's branch it tried in ``loc`` too ("int",
    "Cat", "function-after[...]"): no key the model could send, so not in the path; a model's
    name (capitalised, as classes are) is said apart. ``keep_last``: the last part names a
    key not sent (missing) or one the schema lacks (extra): kept as it is."""
    path: list[str] = []
    branch = ""
    node = sent
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and type(part) is int and -len(node) <= part < len(node)
        ):
            node = node[part]
        elif part == "[key]":  # pydantic's mark: the key before it is what is wrong
            pass
        elif not (keep_last and i == len(loc) - 1):
            if isinstance(part, str) and part.isidentifier() and part[0].isupper():
                branch = part
            continue
        path.append(str(part))
    return path, branch
