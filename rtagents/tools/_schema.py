"""From a function's signature to a pydantic model of its arguments and a JSON schema."""

from __future__ import annotations

import builtins
import collections.abc
import contextlib
import dataclasses
import enum
import functools
import inspect
import types
import typing
import warnings
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticSerializationError, PydanticUndefined, core_schema

from ._unusable import show, unusable
from .context import ToolContext


@dataclasses.dataclass
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


def described(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The function whose name, docstring and type hints describe ``fn``: for a
    ``functools.partial``, its own function (the parameters are still those it leaves)."""
    return fn.func if isinstance(fn, functools.partial) else fn


def _warn_undescribed(
    qualname: str, docs: dict[str, str], sig: inspect.Signature, source: Callable[..., Any]
) -> None:
    """A docstring's ``Args:`` entry that names no parameter (a typo, a parameter renamed
    since) is a description the model would never see: said once, at decoration."""
    names = set(sig.parameters)
    with contextlib.suppress(TypeError, ValueError):
        names |= set(inspect.signature(source).parameters)
    unknown = [name for name in docs if name not in names]
    if unknown:
        warnings.warn(
            f"tool {qualname}: its docstring describes {', '.join(map(repr, unknown))}, "
            "which it has no parameter for (a typo?): the model never sees that description",
            UserWarning,
            stacklevel=4,
        )


def build_signature(fn: Callable[..., Any], qualname: str, docs: dict[str, str]) -> Signature:
    """Describe ``fn``'s arguments; raise ``TypeError`` naming what cannot be expressed."""
    source = described(fn)
    sig = inspect.signature(fn)
    hints = _hints(source, sig, qualname)

    _warn_undescribed(qualname, docs, sig, source)
    # A partial's arguments bound by keyword are the app's: not offered to the model.
    bound = fn.keywords if isinstance(fn, functools.partial) else {}
    params = [param for param in sig.parameters.values() if param.name not in bound]
    receiver = _takes_receiver(fn, params, hints)
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
        if param.name.startswith("model_") and hasattr(BaseModel, param.name):
            # model_config would configure the model instead (the parameter vanished), and
            # model_dump & co. break it; pydantic's older names (json, schema) are fine.
            raise TypeError(
                f"{where}: pydantic keeps this name for itself (BaseModel.{param.name}), so no "
                "argument can have it; rename the parameter"
            )
        annotation = _readable(annotation)
        description = docs.get(param.name)
        if description and not _has_description(annotation):
            annotation = Annotated[annotation, Field(description=description)]
        # Without a default of its own the parameter is required, unless its annotation
        # gives one (``Annotated[int, Field(default=1)]``), as pydantic reads a signature.
        default = PydanticUndefined if param.default is param.empty else param.default
        why = unusable(annotation)
        if why is not None:
            raise TypeError(f"{where}: {why}")
        try:  # each parameter on its own first, so that an error can name it
            probe = create_model(
                "_probe", __config__=ConfigDict(extra="forbid"), x=(annotation, default)
            )
            probe.model_json_schema()
        except PydanticSchemaGenerationError:
            raise TypeError(
                f"{where}: {show(annotation)} has no JSON schema; use a type pydantic can "
                "describe (str, int, a BaseModel, a dataclass, Literal[...], ...)"
            ) from None
        except PydanticUserError as exc:  # typing.TypedDict before Python 3.12, say
            raise TypeError(f"{where}: {show(annotation)} cannot be used: {exc.message}") from None
        except PydanticSerializationError as exc:  # a value in the schema that is no JSON
            raise TypeError(f"{where}: {show(annotation)} has no JSON schema: {exc}") from None
        fields[param.name] = (annotation, default)

    try:
        with warnings.catch_warnings():  # (the arguments' model is ours: its names are the app's)
            warnings.filterwarnings("ignore", _SHADOWS, UserWarning)
            model = create_model(
                f"{qualname.replace('.', '_')}_arguments",
                __config__=_ARGUMENTS,
                **fields,
            )
        schema = _forbid_extra(clean_schema(model.model_json_schema(schema_generator=_Says)))
    except PydanticUserError as exc:
        raise TypeError(f"tool {qualname}: an annotation has no JSON schema ({exc})") from exc
    return Signature(model=model, schema=schema, context_param=context_param, receiver=receiver)


_ARGUMENTS = ConfigDict(extra="forbid", arbitrary_types_allowed=False, allow_inf_nan=False)
"""What the arguments' model takes: no name the schema lacks, and no NaN or infinity, which
JSON has not (``"NaN"`` or a bare ``Infinity`` would pass as a float, and ``nan > 100`` is
false: a ``needs_approval`` predicate's limit would let it by)."""


class _Says(GenerateJsonSchema):
    """pydantic's JSON schema, saying what validation takes where pydantic's own does not:
    the keys a dict of number or bool keys takes (JSON has them only as strings), and no
    dataclass field its constructor does not take (``field(init=False)``: refused if sent).
    The model reads the schema; what it allows must pass."""

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        out = super().dict_schema(schema)
        names = _KEY_NAMES.get(str(schema.get("keys_schema", {}).get("type")))
        if names is not None and "propertyNames" not in out:
            out["propertyNames"] = names
        return out

    def dataclass_args_schema(self, schema: core_schema.DataclassArgsSchema) -> JsonSchemaValue:
        taken = [f for f in schema["fields"] if f.get("init", True) is not False]
        return super().dataclass_args_schema({**schema, "fields": taken})


_KEY_NAMES: dict[str, dict[str, Any]] = {
    "int": {"pattern": "^-?[0-9]+$"},
    "float": {"pattern": "^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$"},
    "bool": {"enum": ["true", "false"]},
}


_SHADOWS = r'Field name ".*" in ".*" shadows an attribute in parent "BaseModel"'
"""pydantic's warning for a field named as one of BaseModel's older methods (``json``,
``schema``, ``copy``): a parameter may have such a name (the arguments' model's methods are
never called), and an app run with warnings as errors must still import its tools."""


def _takes_receiver(
    fn: Callable[..., Any], params: list[inspect.Parameter], hints: dict[str, Any]
) -> bool:
    """Whether ``fn``'s first parameter is the instance (or class) it is read from, to be
    bound then (``FunctionTool.__get__``). Only for a function defined in a class body (its
    ``__qualname__`` says so: ``Shop.check``, not ``check`` or ``make.<locals>.check``), not
    bound already, whose first parameter is an unannotated ``self`` or ``cls``. Anything else
    is taken as it is: a bound method, a staticmethod, a classmethod read from its class, a
    partial, a function whose first parameter is an annotated ``self``."""
    if not params or inspect.ismethod(fn):
        return False
    first = params[0].name
    owner = getattr(fn, "__qualname__", "").rpartition(".")[0]
    in_class = bool(owner) and not owner.endswith("<locals>")
    return in_class and first in ("self", "cls") and first not in hints


def _hints(source: Callable[..., Any], sig: inspect.Signature, qualname: str) -> dict[str, Any]:
    """The parameters' type hints, read where the signature comes from: a function's own; a
    callable object's from the function it wraps (a class-based decorator's), else from
    its class's ``__call__`` (never the object's own annotations: a dataclass's fields),
    then those its ``__signature__`` carries."""

    def read(fn: Callable[..., Any]) -> dict[str, Any]:
        try:
            return typing.get_type_hints(fn, include_extras=True)
        except (NameError, TypeError) as exc:
            return _hints_each(fn, sig, qualname, exc)

    if inspect.isroutine(source) or isinstance(source, type):
        return read(source)
    wrapped = inspect.unwrap(source)
    hints = read(wrapped if wrapped is not source else type(source).__call__)
    for param in sig.parameters.values():
        annotation = param.annotation
        if annotation is not param.empty and not isinstance(annotation, str):
            hints.setdefault(param.name, annotation)
    return hints


def _readable(annotation: Any) -> Any:
    """``annotation`` as it can be checked when the call comes, wherever it is in it (in
    ``Optional[...]``, ``list[...]``, ``Annotated[...]``): an ``Iterable[X]`` as a list
    (checked whole, and read by each who reads the arguments, not once by the first), and
    ``Literal[Color.RED, Color.GREEN]`` (part of an Enum) as the values the model sends,
    each read back into its member. Anything else as it is."""
    kind, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is collections.abc.Iterable or kind is collections.abc.Iterable:
        return list[_readable(args[0]) if args else Any]  # type: ignore[misc]
    if kind is Literal:
        return _members_as_values(annotation, args)
    if not args:
        return annotation
    if kind is Annotated:
        first = _readable(args[0])
        rebuilt = (first, *annotation.__metadata__)
        return annotation if first is args[0] else typing.cast(Any, Annotated)[rebuilt]
    new = tuple(_readable(a) if not isinstance(a, (list, type(...))) else a for a in args)
    if all(n is a for n, a in zip(new, args, strict=True)):
        return annotation
    if kind in (typing.Union, types.UnionType):
        return typing.Union[new]
    return typing.cast(Any, kind)[new] if isinstance(kind, type) else annotation


def _members_as_values(literal: Any, members: tuple[Any, ...]) -> Any:
    if not members or not all(isinstance(m, enum.Enum) for m in members):
        return literal
    by_value = {m.value: m for m in members}
    plain = all(type(v) in (str, int) for v in by_value)  # (JSON's; no bool)
    if len(by_value) != len(members) or not plain:
        return literal  # (refused, saying why: see ``_enum_members``)
    return Annotated[Literal[tuple(by_value)], AfterValidator(by_value.__getitem__)]


def _hints_each(
    fn: Callable[..., Any], sig: inspect.Signature, qualname: str, failed: Exception
) -> dict[str, Any]:
    """The parameters' hints one by one, when all of them at once cannot be read: a name
    imported only for type checkers (``if TYPE_CHECKING:``) is fine in the return annotation,
    which makes no schema, and in ``ToolContext[Deps]``; anywhere else it is a ``TypeError``
    naming the parameter."""
    hints: dict[str, Any] = {}
    scope = getattr(inspect.unwrap(fn), "__globals__", {})
    for name, param in sig.parameters.items():
        annotation = param.annotation
        if annotation is param.empty:
            continue
        if not isinstance(annotation, str):
            hints[name] = annotation
            continue
        try:
            hints[name] = eval(annotation, dict(scope))
        except Exception as exc:
            lenient = _Lenient(scope)
            try:
                guessed = eval(annotation, lenient)
            except Exception:
                guessed = None
            if not _is_context(guessed):
                raise TypeError(
                    f"tool {qualname}, parameter {name!r}: cannot read its type hint "
                    f"{annotation!r} ({exc})"
                ) from failed
            hints[name] = guessed
    return hints


class _Lenient(dict[str, Any]):
    """A function's globals in which a name it does not have is ``Any``."""

    def __init__(self, scope: dict[str, Any]) -> None:
        super().__init__(scope)

    def __missing__(self, key: str) -> Any:
        if key == "__builtins__" or key in _BUILTINS:  # found there, as in any module
            raise KeyError(key)
        return Any


_BUILTINS = frozenset(dir(builtins))


def _has_description(annotation: Any) -> bool:
    """Whether a ``Field(description=...)`` describes the value itself, so that it wins over
    the docstring: in ``Annotated[...]``, or around the one type of an ``Optional[...]``. One
    on a branch of another union describes that branch only."""
    kind = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if kind is Annotated:
        described = any(isinstance(meta, FieldInfo) and meta.description for meta in args[1:])
        return described or _has_description(args[0])
    if kind in (typing.Union, types.UnionType):
        values = [arg for arg in args if arg is not type(None)]
        return len(values) == 1 and _has_description(values[0])
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
            if key in _VALUES and not in_map:  # data, not schema: a default's own "title"
                out[key] = value
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
        out = {k: v if k in _VALUES else _forbid_extra(v) for k, v in node.items()}
        if out.get("type") == "object" and "properties" in out:
            # Also over a model's own ``extra="allow"``: validation forbids them all the same.
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_forbid_extra(item) for item in node]
    return node


_VALUES = frozenset({"default", "examples", "example", "const", "enum"})
"""Keywords whose values are JSON data, not schemas: never rewritten."""
