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
            google = _GOOGLE.parse(raw)
        except docstring_parser.ParseError:  # (the parse above tried every style)
            google = parsed
        if len(google.meta) > len(parsed.meta):  # a keyword section it read, say
            parsed = google
    text = "\n\n".join(part for part in (parsed.short_description, parsed.long_description) if part)
    params = {p.arg_name: " ".join(p.description.split()) for p in parsed.params if p.description}
    return Docs(description=text.strip(), params=params)
