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
    """Google, NumPy and Sphinx (reST) styles; sections other than the text are left out."""
    raw = inspect.getdoc(_documented(obj))
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
    params = {p.arg_name: " ".join(p.description.split()) for p in parsed.params if p.description}
    return Docs(description=text.strip(), params=params)


def _documented(obj: object) -> object:
    """Where a tool's docstring is: a function's own; a callable object's ``__call__``'s,
    which the tool's parameters are (else its class's own, never the one ``dataclasses``
    writes, the constructor's signature); a wrapper's (``functools.update_wrapper`` gives it
    the wrapped function's) as it is."""
    if inspect.isroutine(obj) or isinstance(obj, type) or "__doc__" in _own_vars(obj):
        return obj
    cls = type(obj)
    call = cls.__call__  # (a callable object's: the tool is one)
    if inspect.getdoc(call):
        return call
    if dataclasses.is_dataclass(cls) and cls.__doc__ == _generated_doc(cls):
        return None
    return obj


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
