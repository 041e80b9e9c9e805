"""A parameter named as one of pydantic's older ``BaseModel`` methods (``json``, ``schema``,
``copy``) is a tool's argument like any other, and decorating it warns of nothing: an app run
with warnings as errors (``-W error``, pytest's ``filterwarnings = error``) must still import
its tools. pydantic warned that the field "shadows an attribute in parent BaseModel", of a
model the app never sees."""

from __future__ import annotations

import warnings

import anyio

import rtagents


def test_a_parameter_named_json_or_schema_warns_of_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)

        @rtagents.tool
        def export(json: str, schema: int = 1, copy: bool = False) -> str:
            """Export a report."""
            return f"{json} {schema} {copy}"

    assert export.parameters["required"] == ["json"]
    assert anyio.run(export.run_json, '{"json": "a", "copy": true}') == "a 1 True"
