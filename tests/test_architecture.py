"""The shape of the code, read from the code: the layers ``docs/design.md`` declares (its
table is the one declaration, so the page and the imports cannot drift), no import cycle,
and no ``_private`` name used outside the module (or package) it belongs to.

Every import counts: at the top, inside a function, and under ``if TYPE_CHECKING:`` (a
type-only import is a dependency a cycle can hide behind)."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase as fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rtagents"
DESIGN = ROOT / "docs" / "design.md"

# Imports that break the declared layers or make a cycle, each until the named work removes
# it. Keep this short: a new entry needs a reason a reviewer accepts.
# (importer, imported). The session redesign removed the last ones that ran, from
# tools/context.py typing its session and agent with the classes themselves. What is left is
# type-only: the package names, for type checkers, the subpackages it imports on first use
# (``rtagents.testing`` after ``import rtagents``; at run time its ``__getattr__`` does).
ALLOWED_IMPORTS: set[tuple[str, str]] = {
    ("rtagents", f"rtagents.{lazy}")
    for lazy in ("audio", "calls", "emulator", "testing", "tracing")
}

# ``owner._name`` uses outside the module that defines ``_name``, by (module, name).
ALLOWED_PRIVATE = {
    # Third-party APIs that leave no public way:
    # mcp makes its transports' HTTP client (timeouts for long-lived streams) only here, and
    # its streamable_http_client needs one passed in to carry our headers.
    ("*", "mcp.shared._httpx_utils"),
    # A TCP reset (the emulator's fault injection) needs uvicorn's transport, reachable only
    # through the ASGI send that Starlette's WebSocket keeps as ``_send``.
    ("rtagents.emulator.http_app", "_send"),
}


# -- the modules and their imports ---------------------------------------------------------


@dataclass(frozen=True)
class Module:
    name: str  # rtagents.calls.server
    path: Path
    is_package: bool

    @functools.cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.path.read_text(), str(self.path))


@functools.cache
def modules() -> dict[str, Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        found[name] = Module(name, path, is_package)
    return found


def _imported(module: Module, node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str]]:
    """``(module path, name)`` per name of the statement: ``name`` is empty for ``import x``;
    relative imports are resolved."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, ""
        return
    base = module.name.split(".")[: None if module.is_package else -1]
    if node.level:
        base = base[: len(base) - node.level + 1]
        target = ".".join([*base, *([node.module] if node.module else [])])
    else:
        target = node.module or ""
    for alias in node.names:
        yield target, alias.name


def imports(module: Module) -> Iterator[tuple[str, int]]:
    """The rtagents modules ``module`` imports (the deepest module each statement names),
    with the line."""
    known = modules()
    for node in ast.walk(module.tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        for target, name in _imported(module, node):
            full = f"{target}.{name}" if name else target
            if not full.startswith("rtagents"):
                continue
            while full not in known:
                full = full.rpartition(".")[0]
            if full != module.name:
                yield full, node.lineno


# -- the layers, as docs/design.md declares them ---------------------------------------------

ROW = re.compile(r"^\| *(\w+) *\|([^|]*)\|([^|]*)\|$")


@functools.cache
def layers() -> dict[str, tuple[list[str], set[str]]]:
    """``layer -> (what it holds, the layers it may import)`` from the table of
    docs/design.md whose header is ``| layer | holds | may import |``."""
    lines = DESIGN.read_text().splitlines()
    start = lines.index("| layer | holds | may import |")
    table = {}
    for line in lines[start + 2 :]:
        row = ROW.match(line)
        if row is None:
            break
        holds = re.findall(r"`([\w/.*]+)`", row[2])
        table[row[1]] = (holds, set(re.findall(r"\w+", row[3])) - {"nothing"})
    return table


def layer_of(name: str) -> str:
    """The layer whose patterns (``calls/*``, ``errors``, ``_cli_*``) match the module's
    file, as a path under ``rtagents/`` without ``.py``."""
    path = modules()[name].path.relative_to(PACKAGE).with_suffix("").as_posix()
    found = [
        layer for layer, (holds, _) in layers().items() if any(fnmatch(path, h) for h in holds)
    ]
    assert len(found) == 1, f"{path} is in {len(found)} layers of the table in docs/design.md"
    return found[0]


def edges() -> Iterator[tuple[str, str, int]]:
    """Every import between two rtagents modules that is not on the allow-list."""
    for module in modules().values():
        for target, line in imports(module):
            if (module.name, target) not in ALLOWED_IMPORTS:
                yield module.name, target, line


def test_every_module_is_in_one_layer() -> None:
    for name in modules():
        layer_of(name)


def test_imports_follow_the_declared_layers() -> None:
    upward = [
        f"{source}:{line} imports {target} ({layer_of(source)} -> {layer_of(target)})"
        for source, target, line in edges()
        if layer_of(target) != layer_of(source)
        and layer_of(target) not in layers()[layer_of(source)][1]
    ]
    assert upward == []


def test_the_declared_layers_are_the_ones_used() -> None:
    """Each "may import" of the table is an import of the code: the page says what is."""
    used = {(layer_of(s), layer_of(t)) for s, t, _ in edges()}
    stale = [
        f"{layer} -> {below}"
        for layer, (_, may) in layers().items()
        for below in sorted(may)
        if (layer, below) not in used
    ]
    assert stale == []


def test_the_allow_lists_hold_only_what_is_still_there() -> None:
    """An exception that the code no longer needs leaves its allow-list with it."""
    imported = {(m.name, t) for m in modules().values() for t, _ in imports(m)}
    used = {(m.name, name) for m in modules().values() for _, name, _ in private_uses(m)}
    assert sorted(ALLOWED_IMPORTS - imported) == []
    assert sorted(a for a in ALLOWED_PRIVATE if a[0] != "*" and a not in used) == []


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {name: set() for name in modules()}
    for source, target, _ in edges():
        graph[source].add(target)
    assert [sorted(c) for c in _cycles(graph)] == []


def test_the_layers_diagram_draws_the_table() -> None:
    """The layers' flowchart in docs/design.md draws the table: an arrow for each "may
    import" that no path of other arrows already implies (the transitive reduction), and
    no other arrow."""
    chart = re.search(r"```mermaid\nflowchart BT\n(.*?)```", DESIGN.read_text(), re.S)
    assert chart is not None, "docs/design.md has no layers flowchart (flowchart BT)"
    drawn = set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", chart[1], re.M))
    may = {layer: below for layer, (_, below) in layers().items()}

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in may[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    implied = {
        (layer, below)
        for layer, direct in may.items()
        for below in direct
        if not any(below in reachable(other) for other in direct - {below})
    }
    assert sorted(drawn - implied) == [], "arrows the table does not declare, or implied"
    assert sorted(implied - drawn) == [], "declared imports the diagram does not draw"


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# -- private names ---------------------------------------------------------------------------


def _private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__") and name != "_"


def _defined_here(tree: ast.Module) -> set[str]:
    """The private names this module defines: its functions, classes and module names, and
    the attributes its classes give themselves (``self._x = ...``, ``_x: int`` in a class
    body, ``__slots__``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            pass
    for node in ast.walk(tree):  # __slots__ = ("_a", "_b")
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets
        ):
            names |= {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)}
    return {n for n in names if isinstance(n, str) and _private(n)}


def _foreign_private_module(importer: str, module: str) -> str | None:
    """The private module in ``module``'s path that is not ``importer``'s to import (a
    ``_module`` belongs to its package), if any."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        owner = ".".join(parts[:i])
        if _private(part) and not (importer == owner or importer.startswith(owner + ".")):
            return ".".join(parts[: i + 1])
    return None


def private_uses(module: Module) -> Iterator[tuple[int, str, str]]:
    """``(line, name, what)`` for each private name ``module`` uses that is not its own."""
    known = modules()
    tree = module.tree
    mine = _defined_here(tree)
    imported_modules: set[str] = set()  # local names bound to modules
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for target, name in _imported(module, node):
                full = f"{target}.{name}" if name else target
                is_module = full in known or not name or not full.startswith("rtagents")
                private = _foreign_private_module(module.name, full if is_module else target)
                if private:
                    yield node.lineno, private, f"{private} is its package's own"
                elif name and _private(name) and full not in known:
                    yield node.lineno, name, f"imported from {target}"
            for alias in node.names:
                full = alias.name
                if (
                    isinstance(node, ast.Import)
                    or f"{_imported_base(module, node)}.{full}" in known
                ):
                    imported_modules.add((alias.asname or alias.name).split(".")[0])
    for node in ast.walk(tree):
        owner: ast.expr | None = None
        name = ""
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner, name = node.value, node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            owner, name = node.args[0], node.args[1].value
        if owner is None:
            continue
        if isinstance(owner, ast.Name) and owner.id in imported_modules:
            yield node.lineno, name, f"{owner.id}.{name}: another module's"
        elif isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        elif name not in mine:
            yield node.lineno, name, f"{ast.unparse(owner)}.{name}: not defined in this module"


def _imported_base(module: Module, node: ast.ImportFrom) -> str:
    return next(iter(_imported(module, node)))[0]


def test_no_private_name_is_used_outside_its_module() -> None:
    found = [
        f"{module.path.relative_to(ROOT)}:{line}: {what}"
        for module in modules().values()
        for line, name, what in private_uses(module)
        if (module.name, name) not in ALLOWED_PRIVATE and ("*", name) not in ALLOWED_PRIVATE
    ]
    assert found == []
