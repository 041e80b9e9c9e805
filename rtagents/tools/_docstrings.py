"""Read a tool's description and its parameters' descriptions from a docstring."""

from __future__ import annotations

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
    raw = inspect.getdoc(obj)
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
    text = "\n\n".join(part for part in (parsed.short_description, parsed.long_description) if part)
    params = {p.arg_name: " ".join(p.description.split()) for p in parsed.params if p.description}
    return Docs(description=text.strip(), params=params)


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
