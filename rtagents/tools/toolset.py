"""Toolsets: named collections of tools that compose, filter and prefix the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from fnmatch import fnmatchcase

from .base import BaseTool


class DuplicateToolError(ValueError):
    """Two tools would be offered to the model under one name."""


def name_list(names: Iterable[str], where: str) -> list[str]:
    """``names`` (tool names or globs) as a list. A lone string is refused: it would be read
    letter by letter, and a ``*`` among them matches every tool."""
    if isinstance(names, str):
        raise TypeError(f"{where} takes a list of names or globs, not a string: [{names!r}]")
    return list(names)


class Toolset:
    """A named, ordered collection of tools.

    Function tools and the tools of local MCP servers are combined through toolsets, so
    filtering and prefixing work the same for both. Adding two tools with one name raises
    ``DuplicateToolError`` naming both sources: rename one, or add a ``prefix``.
    """

    def __init__(self, name: str, tools: Iterable[BaseTool | Toolset] = ()) -> None:
        if not isinstance(name, str):
            raise TypeError(f"Toolset(name, tools) takes its name first, not {name!r:.60}")
        if isinstance(tools, (str, BaseTool, Toolset)) or not isinstance(tools, Iterable):
            raise TypeError(
                f"Toolset {name!r}: tools takes a list (Toolset({name!r}, [...])), not "
                f"{type(tools).__name__}"
            )
        self.name = name
        self._tools: dict[str, tuple[BaseTool, str]] = {}
        for item in tools:
            self.add(item)

    def add(self, item: BaseTool | Toolset) -> None:
        """Add a tool, or every tool of another toolset."""
        if isinstance(item, Toolset):
            for tool in item:
                self._add(tool, f"toolset {item.name!r}")
        elif isinstance(item, BaseTool):
            self._add(item, f"toolset {self.name!r}")
        else:
            raise TypeError(f"toolset {self.name!r}: {item!r} is not a tool or a toolset")

    def _add(self, tool: BaseTool, source: str) -> None:
        unusable = tool.unusable()
        if unusable is not None:
            raise TypeError(f"{source}: {unusable}")
        if tool.name in self._tools:
            earlier, first = self._tools[tool.name]
            if earlier is tool:
                raise DuplicateToolError(f"the tool {tool.name!r} is listed twice in {source}")
            where = f"both in {source}" if first == source else f"from {first} and from {source}"
            raise DuplicateToolError(
                f"two tools are named {tool.name!r} ({where}); "
                "rename one or give a toolset a prefix"
            )
        self._tools[tool.name] = (tool, source)

    def filtered(self, keep: Iterable[str] | Callable[[BaseTool], bool]) -> Toolset:
        """A toolset with only the tools whose names match ``keep`` (globs) or that it accepts."""
        if callable(keep):
            test = keep
        else:
            patterns = name_list(keep, "Toolset.filtered")

            def test(tool: BaseTool) -> bool:
                return any(fnmatchcase(tool.name, pattern) for pattern in patterns)

        return Toolset(self.name, [tool for tool in self if test(tool)])

    def prefixed(self, prefix: str) -> Toolset:
        """A toolset whose tools are renamed ``{prefix}{name}``."""
        return Toolset(self.name, [tool.renamed(prefix + tool.name) for tool in self])

    def get(self, name: str) -> BaseTool | None:
        entry = self._tools.get(name)
        return entry[0] if entry else None

    def __iter__(self) -> Iterator[BaseTool]:
        return (tool for tool, _ in self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def names(self) -> list[str]:
        return list(self._tools)

    def __repr__(self) -> str:
        return f"<Toolset {self.name} {self.names()}>"
