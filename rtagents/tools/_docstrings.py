"""Read a tool's description and its parameters' descriptions from a docstring."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import docstring_parser


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
    text = "\n\n".join(part for part in (parsed.short_description, parsed.long_description) if part)
    params = {p.arg_name: " ".join(p.description.split()) for p in parsed.params if p.description}
    return Docs(description=text.strip(), params=params)
