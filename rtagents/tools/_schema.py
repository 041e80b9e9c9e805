"""From a function's signature to a pydantic model of its arguments and a JSON schema."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError
from pydantic.fields import FieldInfo

from .context import ToolContext


@dataclass
class Signature:
    model: type[BaseModel]
    schema: dict[str, Any]
    context_param: str | None
    receiver: bool


def _is_context(annotation: Any) -> bool:
    # ``ToolContext`` or ``ToolContext[Deps]`` (a generic alias whose origin is the class).
    annotation = typing.get_origin(annotation) or annotation
    return annotation is ToolContext or (
        inspect.isclass(annotation) and issubclass(annotation, ToolContext)
    )


def _mentions_context(annotation: Any) -> bool:
    if _is_context(annotation):
        return True
    if typing.get_origin(annotation) is not None and _is_context(typing.get_origin(annotation)):
        return True
    return any(_mentions_context(arg) for arg in typing.get_args(annotation))


def build_signature(fn: Callable[..., Any], qualname: str, docs: dict[str, str]) -> Signature:
    """Describe ``fn``'s arguments; raise ``TypeError`` naming what cannot be expressed."""
    try:
        sig = inspect.signature(fn)
        hints = typing.get_type_hints(fn, include_extras=True)
    except (NameError, TypeError) as exc:
        raise TypeError(f"tool {qualname}: cannot read its type hints ({exc})") from exc

    params = list(sig.parameters.values())
    # A plain function defined in a class body: its first parameter is the receiver.
    receiver = bool(params) and params[0].name in ("self", "cls") and params[0].name not in hints
    if receiver:
        params = params[1:]

    fields: dict[str, Any] = {}
    context_param: str | None = None
    for param in params:
        where = f"tool {qualname}, parameter {param.name!r}"
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"{where}: *args and **kwargs cannot be described to the model")
        if param.kind is param.POSITIONAL_ONLY:
            raise TypeError(f"{where}: positional-only parameters are not supported")
        if param.name not in hints:
            raise TypeError(f"{where}: has no type annotation, so no schema can be made")
        annotation = hints[param.name]
        if _is_context(annotation):
            if context_param is not None:
                raise TypeError(f"{where}: only one parameter may take the ToolContext")
            if param.default is not param.empty:
                raise TypeError(f"{where}: the ToolContext parameter cannot have a default")
            context_param = param.name
            continue
        if _mentions_context(annotation):
            raise TypeError(f"{where}: ToolContext must be the whole annotation, not part of it")
        if param.name.startswith("_"):
            raise TypeError(f"{where}: names starting with '_' cannot be arguments")
        description = docs.get(param.name)
        if description and not _has_description(annotation):
            annotation = Annotated[annotation, Field(description=description)]
        default = ... if param.default is param.empty else param.default
        try:  # each parameter on its own first, so that an error can name it
            create_model("_probe", __config__=ConfigDict(extra="forbid"), x=(annotation, default))
        except PydanticSchemaGenerationError:
            raise TypeError(
                f"{where}: {_show(annotation)} has no JSON schema; use a type pydantic can "
                "describe (str, int, a BaseModel, a dataclass, Literal[...], ...)"
            ) from None
        except PydanticUserError as exc:  # typing.TypedDict before Python 3.12, say
            raise TypeError(f"{where}: {_show(annotation)} cannot be used: {exc.message}") from None
        fields[param.name] = (annotation, default)

    try:
        model = create_model(
            f"{qualname.replace('.', '_')}_arguments",
            __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=False),
            **fields,
        )
        schema = _forbid_extra(clean_schema(model.model_json_schema()))
    except PydanticUserError as exc:
        raise TypeError(f"tool {qualname}: an annotation has no JSON schema ({exc})") from exc
    return Signature(model=model, schema=schema, context_param=context_param, receiver=receiver)


def _has_description(annotation: Any) -> bool:
    if typing.get_origin(annotation) is Annotated:
        return any(
            isinstance(meta, FieldInfo) and meta.description
            for meta in typing.get_args(annotation)[1:]
        )
    return False


_MAPS = frozenset({"properties", "$defs", "definitions", "patternProperties"})


def clean_schema(node: Any, *, in_map: bool = False) -> Any:
    """Drop pydantic's generated ``title`` keywords: they cost the model tokens and say nothing.

    Keys inside ``properties`` and ``$defs`` are names, not keywords, so they are kept.
    """
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "title" and not in_map and isinstance(value, str):
                continue
            out[key] = clean_schema(value, in_map=key in _MAPS and not in_map)
        return out
    if isinstance(node, list):
        return [clean_schema(item) for item in node]
    return node


def _forbid_extra(node: Any) -> Any:
    """``additionalProperties: false`` on every object with ``properties`` (nested models
    too): the schema says what validation does (``extra="forbid"`` all the way down)."""
    if isinstance(node, dict):
        out = {key: _forbid_extra(value) for key, value in node.items()}
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(node, list):
        return [_forbid_extra(item) for item in node]
    return node


def _show(annotation: Any) -> str:
    return getattr(annotation, "__qualname__", None) or repr(annotation)
