"""Read a tool's description and its parameters' descriptions from a docstring."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field

import docstring_parser
from docstring_parser.google import DEFAULT_SECTIONS, GoogleParser, Section, SectionType

# Google style's sections for keyword-only parameters, which docstring_parser's own Google
# parser does not know (their text would be the tool's description): read as parameters.
_KEYWORDS = ("Keyword Args", "Keyword Arguments", "Kwargs", "Other Parameters")
_GOOGLE = GoogleParser(
    [*DEFAULT_SECTIONS, *(Section(title, "param", SectionType.MULTIPLE) for title in _KEYWORDS)]
)


@dataclass
class Docs:
    description: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(obj: object) -> Docs:
    """Google, NumPy and Sphinx (reST) styles; sections other than the text are left out. A
    callable object is described by its ``__call__``'s docstring (its parameters are the
    tool's), and by its class's own for what that one does not say. A wrapper's docstring
    (``functools.update_wrapper`` gives it the wrapped function's) is its own."""
    if inspect.isroutine(obj) or isinstance(obj, type) or "__doc__" in _own_vars(obj):
        return _parse(inspect.getdoc(obj))
    docs = _parse(_inherited(type(obj), "__call__"))
    if not docs.description:
        its_class = _parse(_class_doc(type(obj)))
        docs.description = its_class.description
        docs.params = docs.params or its_class.params
    return docs


def _parse(raw: str | None) -> Docs:
    if not raw:
        return Docs()
    parsed = docstring_parser.parse(raw)
    if parsed.style is not docstring_parser.DocstringStyle.NUMPYDOC:
        try:
            google = _GOOGLE.parse(_section_first(raw))
        except docstring_parser.ParseError:  # (the parse above tried every style)
            google = parsed
        if len(google.meta) > len(parsed.meta):  # a keyword section it read, say
            parsed = google
    # The summary is the parser's first line: one wrapped over more lines goes on as it was.
    between = "\n\n" if parsed.blank_after_short_description else "\n"
    text = between.join(
        part for part in (parsed.short_description, parsed.long_description) if part
    )
    params: dict[str, str] = {}
    for p in parsed.params:
        if p.description:
            # NumPy's ``x1, x2 : float`` describes each of the names it gives.
            for name in p.arg_name.split(","):
                params[name.strip()] = " ".join(p.description.split())
    return Docs(description=text.strip(), params=params)


def _class_doc(cls: type) -> str | None:
    """A class's own docstring: never the one ``dataclasses`` writes for a class that has
    none (its constructor's signature, which the model cannot call)."""
    own = cls.__dict__.get("__doc__")  # (never a base's: ABC's, pydantic's, a library's)
    if not isinstance(own, str) or not own.strip():
        return None
    if dataclasses.is_dataclass(cls) and own == _generated_doc(cls):
        return None
    return inspect.cleandoc(own)


def _inherited(cls: type, name: str) -> str | None:
    """The docstring of ``cls``'s method ``name``, from the first class of its MRO that
    documents it, a built-in never: the text ``inspect.getdoc`` finds there ("Call self as
    a function.") describes no tool."""
    for klass in cls.__mro__:
        if klass.__module__ == "builtins":
            continue
        doc = getattr(klass.__dict__.get(name), "__doc__", None)
        if isinstance(doc, str) and doc.strip():
            return inspect.cleandoc(doc)
    return None


def _own_vars(obj: object) -> dict[str, object]:
    try:
        return vars(obj)
    except TypeError:  # (slots)
        return {}


def _generated_doc(cls: type) -> str | None:
    """The docstring ``dataclasses`` gives a class that has none: its signature."""
    try:
        return cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    except (TypeError, ValueError):
        return None


_TITLES = {section.title for section in _GOOGLE.sections.values()}


def _section_first(raw: str) -> str:
    """A docstring that opens with its section (``Args:`` and no text before), as the parser
    reads it: after an empty description (it takes a first line for the text), and with its
    entries indented (written on the opening quotes' line, the cleaned docstring has the
    entries flush with the title)."""
    first, _, rest = raw.partition("\n")
    if first.rstrip(":").strip() not in _TITLES or not first.rstrip().endswith(":"):
        return raw
    if rest and not rest.startswith((" ", "\t")):
        rest = "\n".join("    " + line if line.strip() else line for line in rest.split("\n"))
    return "\n" + first + "\n" + rest
