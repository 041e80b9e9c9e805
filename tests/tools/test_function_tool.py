"""@tool: decoration errors, docstrings, context injection, running, results, toolsets."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import threading
import typing
from typing import Any

import anyio
import pytest
from pydantic import BaseModel

import rtagents
from rtagents import FunctionTool, ToolContext, Toolset, tool
from rtagents.tools import (
    DuplicateToolError,
    ToolArgumentsError,
    ToolFailure,
    default_failure_formatter,
    hide_details,
)

# -- decoration-time errors ----------------------------------------------------------------


def test_unannotated_parameter_is_a_type_error_naming_function_and_parameter() -> None:
    def book(city, nights: int) -> str:  # type: ignore[no-untyped-def]
        return ""

    with pytest.raises(TypeError, match=r"book, parameter 'city': has no type annotation"):
        tool(book)


def test_star_args_are_rejected() -> None:
    def f(*names: str) -> str:
        return ""

    def g(**opts: int) -> str:
        return ""

    with pytest.raises(TypeError, match=r"f, parameter 'names': \*args and \*\*kwargs"):
        tool(f)
    with pytest.raises(TypeError, match=r"g, parameter 'opts'"):
        tool(g)


def test_context_parameter_misuse_is_rejected() -> None:
    def two(a: ToolContext, b: ToolContext) -> str:
        return ""

    def defaulted(ctx: ToolContext = None) -> str:  # type: ignore[assignment]
        return ""

    def nested(ctxs: list[ToolContext]) -> str:
        return ""

    with pytest.raises(TypeError, match=r"two, parameter 'b': only one parameter"):
        tool(two)
    with pytest.raises(TypeError, match=r"defaulted, parameter 'ctx': .* cannot have a default"):
        tool(defaulted)
    with pytest.raises(TypeError, match=r"nested, parameter 'ctxs': ToolContext must be the whole"):
        tool(nested)


def test_unschemable_annotation_is_a_type_error() -> None:
    def f(lock: threading.Lock) -> str:  # not a JSON type
        return ""

    with pytest.raises(TypeError, match=r"tool .*f, parameter 'lock': .* has no JSON schema"):
        tool(f)


class Item(BaseModel):  # not frozen: no hash, so no set can hold one
    sku: str


class FrozenItem(BaseModel, frozen=True):
    sku: str


@dataclasses.dataclass
class Row:
    n: int


UNSATISFIABLE = {
    "type[int]": "a class",
    "Type[Item]": "a class",
    "type": "a class",
    "Optional[type[Item]]": "a class",
    "list[type[int]]": "a class",
    "set[Item]": "a set of Item",
    "frozenset[Row]": "a set of Row",
    "Set[list[int]]": "a set of list",
    "Optional[set[dict[str, int]]]": "a set of dict",
    "set[Union[Item, Row]]": "a set of ",
}


@pytest.mark.parametrize("annotation", list(UNSATISFIABLE))
def test_a_parameter_no_json_value_can_satisfy_is_refused_naming_it(annotation: str) -> None:
    namespace: dict[str, Any] = {**globals(), **vars(typing)}
    exec(f"def pick(x: int, choice: {annotation}) -> str:\n    return ''", namespace)
    with pytest.raises(TypeError, match=r"pick, parameter 'choice': ") as info:
        tool(namespace["pick"])
    assert UNSATISFIABLE[annotation] in str(info.value)


@pytest.mark.parametrize(
    "annotation",
    ["set[int]", "frozenset[str]", "set[FrozenItem]", "set[Union[int, Item]]"],
)
def test_sets_of_hashable_items_are_fine(annotation: str) -> None:
    namespace: dict[str, Any] = {**globals(), **vars(typing)}
    exec(f"def pick(choice: {annotation}) -> str:\n    return ''", namespace)
    assert tool(namespace["pick"]).parameters["required"] == ["choice"]


@pytest.mark.parametrize(
    "annotation",
    [
        "Callable[[int], int]",
        "Callable",
        "collections.abc.Callable",
        "Optional[Callable[..., Any]]",
    ],
)
def test_a_callable_parameter_is_refused_naming_it(annotation: str) -> None:
    import collections.abc

    namespace: dict[str, Any] = {**vars(typing), "collections": collections}
    exec(f"def apply(n: int, fn: {annotation}) -> str:\n    return ''", namespace)
    with pytest.raises(TypeError, match=r"apply, parameter 'fn': a function \(Callable\)"):
        tool(namespace["apply"])


class Address(BaseModel):  # a user's model, with pydantic's default (extras ignored)
    city: str


def test_nested_models_forbid_unknown_keys_as_the_top_level_does() -> None:
    @tool
    def ship(to: Address, copies: list[Address] | None = None) -> str:
        """Ship."""
        return to.city

    assert ship.parameters["$defs"]["Address"]["additionalProperties"] is False
    with pytest.raises(ToolArgumentsError, match=r"to\.zip: unknown key"):
        ship.parse_arguments('{"to": {"city": "Oslo", "zip": "0150"}}')
    with pytest.raises(ToolArgumentsError, match=r"copies\.0\.x: unknown key"):
        ship.parse_arguments('{"to": {"city": "Oslo"}, "copies": [{"city": "a", "x": 1}]}')
    assert ship.parse_arguments('{"to": {"city": "Oslo"}}').to.city == "Oslo"


def test_bad_name_and_timeout() -> None:
    with pytest.raises(ValueError, match="1-64 letters"):
        tool(name="has space")(lambda: None)
    # A name read from a file keeps its newline: the API would refuse the whole session.update.
    with pytest.raises(ValueError, match="1-64 letters"):
        tool(name="lookup\n")(lambda: None)
    with pytest.raises(ValueError, match="timeout must be positive"):
        tool(timeout=0)(lambda: None)
    # NaN passes ``<= 0``, and a NaN deadline fires at once: every call would time out.
    with pytest.raises(ValueError, match="timeout must be positive"):
        tool(timeout=float("nan"))(lambda: None)


def test_a_tool_made_a_tool_again_is_refused_not_stripped_of_its_options() -> None:
    """Wrapping a tool again took the tool's own options over the ones given (its
    ``needs_approval`` too: a guarded variant ran unasked). It is refused, naming the way
    to a tool with other options: one made of its function."""

    @tool
    def delete_account(user: str) -> str:
        """Delete a user's account."""
        return user

    with pytest.raises(TypeError, match=r"is a tool already.*delete_account\.fn"):
        tool(name="delete_guarded", needs_approval=True)(delete_account)
    guarded = tool(name="delete_guarded", needs_approval=True, timeout=5)(delete_account.fn)
    assert (guarded.name, guarded.needs_approval, guarded.timeout) == ("delete_guarded", True, 5)
    assert delete_account.needs_approval is False  # the first tool is as it was


class Shop:
    def __init__(self) -> None:
        self.level = 7

    @tool
    def stock(self, item: str) -> int:
        """How many of an item are in stock."""
        return self.level


def test_the_refusal_to_wrap_a_method_tool_again_names_a_way_that_works() -> None:
    shop = Shop()
    with pytest.raises(TypeError, match=r"stock\.fn\.__get__\(obj\)"):
        tool(name="stock_guarded", needs_approval=True)(shop.stock)
    guarded = tool(name="stock_guarded", needs_approval=True)(shop.stock.fn.__get__(shop))
    rtagents.Agent(name="desk", tools=[guarded])  # an instance to run on
    assert guarded("tea") == 7 and guarded.needs_approval is True


def test_attributes_on_the_function_are_not_the_tools_options() -> None:
    def lookup(q: str) -> str:
        """Look up."""
        return q

    lookup.timeout = 99  # type: ignore[attr-defined]  # another decorator's, say
    lookup.needs_approval = False  # type: ignore[attr-defined]
    made = tool(timeout=2, needs_approval=True)(lookup)
    assert (made.timeout, made.needs_approval) == (2, True)


def test_a_callable_object_is_a_tool_named_after_its_class() -> None:
    class Lookup:
        """Look something up."""

        def __call__(self, q: str) -> str:
            return q

    made = tool(Lookup())
    assert (made.name, made.description) == ("Lookup", "Look something up.")
    assert made.parameters["required"] == ["q"]


# -- docstrings ----------------------------------------------------------------------------


def google(city: str, days: int = 1) -> str:
    """Forecast for a city.

    Looks a few days ahead.

    Args:
        city: The city.
        days: How many days,
            at most seven.

    Returns:
        The forecast.
    """
    return city


def numpy(city: str, days: int = 1) -> str:
    """Forecast for a city.

    Looks a few days ahead.

    Parameters
    ----------
    city : str
        The city.
    days : int
        How many days,
        at most seven.
    """
    return city


def sphinx(city: str, days: int = 1) -> str:
    """Forecast for a city.

    Looks a few days ahead.

    :param city: The city.
    :param days: How many days,
        at most seven.
    :returns: The forecast.
    """
    return city


@pytest.mark.parametrize("fn", [google, numpy, sphinx], ids=lambda f: f.__name__)
def test_docstring_styles(fn: Any) -> None:
    t = tool(fn)
    assert t.description == "Forecast for a city.\n\nLooks a few days ahead."
    assert t.parameters["properties"]["city"]["description"] == "The city."
    assert t.parameters["properties"]["days"]["description"] == "How many days, at most seven."


def keywords(city: str, *, days: int = 1, units: str = "metric") -> str:
    """Forecast for a city.

    Args:
        city: The city.

    Keyword Args:
        days: How many days.
        units: Metric or imperial.
    """
    return city


def keywords_only(*, days: int = 1) -> str:
    """Forecast for here.

    Keyword Arguments:
        days: How many days.
    """
    return ""


def test_a_google_docstring_the_keyword_parser_cannot_read_is_read_as_before() -> None:
    """A bare ``Raises:`` entry, or an ``Args:`` entry with no description, is taken (the
    parser for keyword sections raised at import time on them)."""

    def weather(city: str) -> str:
        """Look up the weather.

        Args:
            city

        Raises:
            LookupError
        """
        return city

    made = tool(weather)
    assert made.description.startswith("Look up the weather") and made.name == "weather"


def test_google_keyword_sections_describe_keyword_parameters() -> None:
    """Google style's ``Keyword Args:`` (and its other spellings) describe parameters:
    docstring_parser's own Google parser does not read it, and with no ``Args:`` beside it
    the section's raw text became part of the tool's description."""
    made = tool(keywords)
    properties = made.parameters["properties"]
    assert made.description == "Forecast for a city."
    assert [properties[name]["description"] for name in ("city", "days", "units")] == [
        "The city.",
        "How many days.",
        "Metric or imperial.",
    ]
    alone = tool(keywords_only)
    assert alone.description == "Forecast for here."
    assert alone.parameters["properties"]["days"]["description"] == "How many days."


def test_explicit_description_and_name_win() -> None:
    t = tool(name="forecast", description="Say the weather.")(google)
    assert (t.name, t.description) == ("forecast", "Say the weather.")


# -- running -------------------------------------------------------------------------------


def test_context_is_injected() -> None:
    seen: list[ToolContext] = []

    @tool
    async def where(ctx: ToolContext, city: str) -> str:
        """Where."""
        seen.append(ctx)
        return city

    ctx = ToolContext(call_id="call_9", tool_name="where", arguments={"city": "Oslo"})
    assert anyio.run(where.run_json, '{"city": "Oslo"}', ctx) == "Oslo"
    assert seen == [ctx]


def test_sync_tools_run_in_a_worker_thread() -> None:
    threads: list[int] = []

    @tool
    def which_thread() -> int:
        """Report the thread."""
        threads.append(threading.get_ident())
        return 1

    anyio.run(which_thread.run_json, "{}")
    assert threads and threads[0] != threading.get_ident()


def test_decorated_function_still_callable() -> None:
    @tool
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    assert add(2, 3) == 5
    assert isinstance(add, FunctionTool)


def test_bound_methods() -> None:
    class Shop:
        def __init__(self, stock: int) -> None:
            self.stock = stock

        @tool
        def check(self, sku: str) -> str:
            """Stock for a product."""
            return f"{sku}:{self.stock}"

    assert "self" not in Shop.check.parameters["properties"]
    shop = Shop(7)
    bound = shop.check
    assert isinstance(bound, FunctionTool) and bound.name == "check"
    assert anyio.run(bound.run_json, '{"sku": "A"}') == '"A:7"'.strip('"')
    assert bound("B") == "B:7"
    # Decorating an already bound method works too.
    other = tool(Shop(1).check.fn.__get__(Shop(1)))
    assert list(other.parameters["properties"]) == ["sku"]


class Inventory:
    def __init__(self, stock: int) -> None:
        self.stock = stock

    @tool
    def decorated(self, sku: str) -> str:
        """Stock, decorated in the class body."""
        return f"{sku}:{self.stock}"

    def plain(self, sku: str) -> str:
        """Stock, a plain method."""
        return f"{sku}:{self.stock}"

    @staticmethod
    def static(sku: str) -> str:
        """A static method."""
        return sku

    @classmethod
    def klass(cls, sku: str) -> str:
        """A class method."""
        return f"{cls.__name__}:{sku}"


def test_a_method_read_from_its_class_is_refused_when_the_agent_is_made() -> None:
    import rtagents

    # Before, each was taken, and every call failed ("missing ... argument: 'self'").
    for unbound, name in ((Inventory.decorated, "decorated"), (tool(Inventory.plain), "plain")):
        bound_hint = rf"Inventory\.{name} .* pass a bound method \(instance\.{name}\)"
        with pytest.raises(TypeError, match=bound_hint):
            rtagents.Agent(name="a", tools=[unbound])
        with pytest.raises(TypeError, match=bound_hint):
            Toolset("t", [unbound])


def test_bound_static_and_class_methods_and_an_annotated_self_still_work() -> None:
    import rtagents

    def greet(self: str) -> str:
        """A parameter that happens to be named self."""
        return f"hi {self}"

    shop = Inventory(7)
    tools = [shop.decorated, tool(shop.plain), tool(Inventory.static), tool(Inventory.klass)]
    greeter = tool(greet)
    rtagents.Agent(name="a", tools=[*tools, greeter])
    outputs = [anyio.run(t.run_json, '{"sku": "A"}') for t in tools]
    assert outputs == ["A:7", "A:7", "A", "Inventory:A"]
    assert list(greeter.parameters["properties"]) == ["self"]
    assert anyio.run(greeter.run_json, '{"self": "Ann"}') == "hi Ann"


def test_a_function_outside_a_class_body_has_no_receiver() -> None:
    # Only a function defined in a class body has its first parameter bound: elsewhere an
    # unannotated self is a parameter like any other (it was taken as the receiver, and
    # every call failed).
    def note(self, text: str) -> str:  # type: ignore[no-untyped-def]
        return text

    with pytest.raises(TypeError, match=r"note, parameter 'self': has no type annotation"):
        tool(note)


class Point(BaseModel):
    x: int
    y: int


@dataclasses.dataclass
class Size:
    w: int


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain text", "plain text"),
        (Point(x=1, y=2), '{"x":1,"y":2}'),
        (Size(w=3), '{"w":3}'),
        ({"a": [1, 2]}, '{"a":[1,2]}'),
        ([Point(x=0, y=0)], '[{"x":0,"y":0}]'),
        (42, "42"),
        (1.5, "1.5"),
        (True, "true"),
        (None, "null"),
        (threading.Lock, json.dumps(str(threading.Lock))),
        (b"utf-8 bytes", '"utf-8 bytes"'),
        (b"\x00\xff", str(b"\x00\xff")),  # not UTF-8: str() of the whole result
        ({"raw": b"\xff"}, str({"raw": b"\xff"})),
        ({"tea": 3, "coffee": 4}.values(), "[3,4]"),  # a dict's view: a list
        ({"tea": 3}.items(), '[["tea",3]]'),
    ],
)
def test_results_are_serialised(value: Any, text: str) -> None:
    @tool
    def give() -> Any:
        """Give."""
        return value

    assert give.serialize(value) == text


LATIN_1_NAME = os.fsdecode(b"caf\xe9.txt")  # what os.listdir gives for a name not in UTF-8


class Listing(BaseModel):
    folder: str
    files: list[str]


@pytest.mark.parametrize(
    "value",
    [Listing(folder="/srv", files=["a.txt", LATIN_1_NAME]), ["a.txt", LATIN_1_NAME]],
    ids=["model", "list"],
)
def test_a_result_holding_a_string_utf_8_cannot_carry_is_still_json(value: Any) -> None:
    """One string UTF-8 cannot encode (a lone surrogate) made the whole result its repr,
    not JSON: the string is kept as it is in the JSON, as a ``str`` result is."""

    @tool
    def listing() -> Any:
        """List a folder."""
        return value

    data = json.loads(listing.serialize(value))
    files = data["files"] if isinstance(data, dict) else data
    assert files == ["a.txt", LATIN_1_NAME]


def test_failure_formatters() -> None:
    failure = ToolFailure("error", "pay", "card declined", ValueError("card declined"))
    body = json.loads(default_failure_formatter(failure))
    assert body == {
        "error": "error",
        "tool": "pay",
        "message": "card declined",
        "exception": "ValueError",
        "advice": "The tool failed; tell the user, or try another way.",
    }
    assert json.loads(hide_details(failure)) == {"error": "error", "tool": "pay"}
    timeout = json.loads(default_failure_formatter(ToolFailure("timeout", "pay", "after 2s")))
    assert "too long" in timeout["advice"]


# -- toolsets ------------------------------------------------------------------------------


@tool
def search(q: str) -> str:
    """Search."""
    return q


@tool
def send_mail(to: str) -> str:
    """Send."""
    return to


@tool(name="search")
def search_again(q: str) -> str:
    """Another search."""
    return q


def test_toolset_duplicates_are_a_clear_error() -> None:
    with pytest.raises(DuplicateToolError, match="two tools are named 'search'"):
        Toolset("a", [search, search_again])
    inner = Toolset("web", [search])
    with pytest.raises(DuplicateToolError, match="toolset 'web'"):
        Toolset("all", [search_again, inner])


def test_toolset_prefix_and_filter() -> None:
    mail = Toolset("mail", [search, send_mail])
    combined = Toolset("all", [search_again, mail.prefixed("mail_")])
    assert combined.names() == ["search", "mail_search", "mail_send_mail"]
    assert combined.get("mail_search") is not search  # a renamed copy
    assert search.name == "search"
    assert mail.filtered(["send_*"]).names() == ["send_mail"]
    assert mail.filtered(lambda t: t.name == "search").names() == ["search"]
    assert "search" in mail and len(mail) == 2
    with pytest.raises(TypeError, match="not a tool"):
        Toolset("x", [print])  # type: ignore[list-item]


def test_inline_sync_tools_run_on_the_event_loop_thread_and_others_in_a_worker() -> None:
    import threading

    import anyio

    import rtagents
    from rtagents.emulator import CallFunction, Emulator, ScriptedModel

    threads: dict[str, int] = {}

    @rtagents.tool(inline=True)
    def quick() -> str:
        """Pure computation."""
        threads["quick"] = threading.get_ident()
        return "ok"

    @rtagents.tool
    def slow() -> str:
        """May block."""
        threads["slow"] = threading.get_ident()
        return "ok"

    @rtagents.tool(inline=True)
    def broken() -> str:
        """Raises."""
        raise ValueError("nope")

    async def main() -> list[str]:
        model = ScriptedModel(
            [
                [CallFunction("quick", {}), CallFunction("slow", {}), CallFunction("broken", {})],
                "ok",
            ]
        )
        agent = rtagents.Agent(tools=[quick, slow, broken])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                threads["loop"] = threading.get_ident()
                events = await session.ask("go")
        return [
            f"{e.name}:{getattr(e, 'kind', 'ok')}"
            for e in events
            if e.type.startswith("tool.call.") and e.type != "tool.call.started"
        ]

    outcomes = anyio.run(main)
    assert sorted(outcomes) == ["broken:error", "quick:ok", "slow:ok"]
    assert threads["quick"] == threads["loop"] != threads["slow"]


def test_inline_is_for_sync_tools() -> None:
    import rtagents

    async def fetch() -> str:
        """Async."""
        return "x"

    with pytest.raises(ValueError, match="inline=True is for sync tools"):
        rtagents.tool(inline=True)(fetch)


def test_a_tool_listed_twice_or_two_under_one_name_is_said_when_the_agent_is_made() -> None:
    import rtagents

    with pytest.raises(DuplicateToolError, match="the tool 'search' is listed twice"):
        rtagents.Agent(name="a", tools=[search, search])
    with pytest.raises(DuplicateToolError, match=r"two tools are named 'search' \(both in"):
        rtagents.Agent(name="a", tools=[search, search_again])


def test_names_imported_only_for_type_checkers_are_fine_where_no_schema_needs_them() -> None:
    from . import typing_only

    assert typing_only.make_report.parameters["required"] == ["n", "tags"]
    assert list(typing_only.lookup.parameters["properties"]) == ["key"]  # ctx is the context
    with pytest.raises(TypeError, match=r"parameter 'report': cannot read its type hint 'Report'"):
        tool(typing_only.a_report_argument)


# -- functools.partial -------------------------------------------------------------------------


def book_room(city: str, nights: int, guests: int = 1) -> str:
    """Book a room.

    Args:
        city: Where.
        nights: How many nights.
        guests: How many people.
    """
    return f"{city}:{nights}:{guests}"


async def find_room(city: str, nights: int) -> str:
    """Find a room."""
    return f"{city}:{nights}"


def test_a_partial_is_a_tool_of_the_parameters_it_leaves() -> None:
    oslo = tool(functools.partial(book_room, "Oslo"))
    assert (oslo.name, oslo.description) == ("book_room", "Book a room.")
    assert list(oslo.parameters["properties"]) == ["nights", "guests"]
    assert oslo.parameters["properties"]["nights"]["description"] == "How many nights."
    assert anyio.run(oslo.run_json, '{"nights": 2}') == "Oslo:2:1"
    # A value bound by keyword is the app's, not the model's: not offered, not overridable.
    couple = tool(name="book_for_two")(functools.partial(book_room, guests=2))
    assert couple.name == "book_for_two"
    assert list(couple.parameters["properties"]) == ["city", "nights"]
    assert anyio.run(couple.run_json, '{"city": "Rome", "nights": 1}') == "Rome:1:2"
    with pytest.raises(ToolArgumentsError, match="guests: not a parameter"):
        couple.parse_arguments('{"city": "Rome", "nights": 1, "guests": 5}')
    rome = tool(functools.partial(find_room, nights=3))  # async, still
    assert anyio.run(rome.run_json, '{"city": "Rome"}') == "Rome:3"
