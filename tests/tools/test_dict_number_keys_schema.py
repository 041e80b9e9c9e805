"""``dict[int, X]`` (and ``float`` or ``bool`` keys) is offered as a plain JSON object
(``{"type": "object", "additionalProperties": ...}``): any key goes, as far as the model can
tell. Validation then refuses every key that is not a number (``x.alice.[key]: Input should
be a valid integer``): the model sends what the schema allows and the call fails. pydantic
says the keys of ``dict[Literal[...], X]``, ``dict[UUID, X]`` or ``dict[date, X]`` with
``propertyNames``; for number keys it says nothing, and the tool's schema does not add it.
The library's promise is that the schema says what validation does (``additionalProperties:
false`` is added for just that reason, ``_schema._forbid_extra``).

Fault: ``_schema.build_signature`` / ``_forbid_extra``: no ``propertyNames`` (a pattern of
integers or numbers, or ``enum: ["true", "false"]``) for keys JSON only has as strings; or
refuse such keys when decorated."""

from __future__ import annotations

import json
import re

import anyio
import pytest

import rtagents
from rtagents.tools import ToolArgumentsError


def allowed_keys(schema: dict[str, object]) -> object:
    return schema.get("propertyNames")


@rtagents.tool
def set_scores(scores: dict[int, float]) -> str:
    """Set each player's score, by player number."""
    return json.dumps(scores)


def test_the_schema_says_which_keys_validation_takes() -> None:
    prop = set_scores.parameters["properties"]["scores"]
    names = allowed_keys(prop)
    # The model reads the schema: a key it allows must pass the check.
    key = "alice"
    if isinstance(names, dict) and "pattern" in names:
        allowed = re.search(str(names["pattern"]), key) is not None
    else:
        allowed = names is None
    if not allowed:
        return
    try:
        anyio.run(set_scores.run_json, json.dumps({"scores": {key: 1.0}}))
    except ToolArgumentsError as exc:
        pytest.fail(f"schema {json.dumps(prop)} allows the key {key!r}, which is refused: {exc}")
