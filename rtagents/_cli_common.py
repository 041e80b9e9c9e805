"""What the ``rtagents`` commands share: their error, ports, importing the user's code."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from typing import Any

from ._redact import credential


class CliError(Exception):
    """A mistake on the command line: printed without a traceback."""


def add_emulator_key(parser: argparse.ArgumentParser, help: str) -> None:
    """``--api-key KEY``: the emulator's key, by default ``RTAGENTS_EMULATOR_API_KEY`` (never
    ``OPENAI_API_KEY``, which must not reach whatever URL the emulator is said to be at)."""
    parser.add_argument(
        "--api-key",
        metavar="KEY",
        type=_key,
        action=_GivenKey,
        default=os.environ.get("RTAGENTS_EMULATOR_API_KEY"),
        help=f"{help} (default: RTAGENTS_EMULATOR_API_KEY)",
    )
    parser.set_defaults(api_key_given=False)


class _GivenKey(argparse.Action):
    """``--api-key`` as given on the command line (``api_key_given``): a command may say that
    it would do nothing there, where the variable exported for every command stays quiet."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        namespace.api_key, namespace.api_key_given = values, True


def _key(text: str) -> str:
    """A key as a header carries it (from a file saved on Windows, ``$(cat key.txt)`` ends in
    ``\r``), kept out of every log; one with a control character inside is refused, never
    repeated (argparse also checks the default from the environment so)."""
    try:
        return credential("emulator key", text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def wav_out(text: str) -> str:
    """``--out FILE.wav``: a file that can be written, checked before any conversation (a
    wrong path would otherwise fail only at the end, with the conversation lost)."""
    if not text.strip() or text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: give a file name")
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"cannot write {text}: no folder {folder}")
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"cannot write {text}: it is a folder")
    writable = os.access(text, os.W_OK) if os.path.exists(text) else os.access(folder, os.W_OK)
    if not writable:
        raise argparse.ArgumentTypeError(f"cannot write {text}: permission denied")
    return text


def port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{port} is not a port: use 1-65535, or 0 for any free one"
        )
    return port


def module_and_name(spec: str, example: str) -> tuple[str, str]:
    """``MODULE:NAME`` (or ``path/to/file.py:NAME``) split at its last colon, for every
    command alike: a path may hold a colon (a folder ``a:b``, a Windows drive), a Python name
    never does. ``CliError`` (with ``example``: what the command takes) when either is
    missing."""
    module_name, sep, name = spec.rpartition(":")
    if not sep or not module_name or not name:
        raise CliError(f"expected {example}, not {spec!r}")
    return module_name, name


def import_user_module(name: str) -> Any:
    if name.endswith(".py") or os.sep in name or "/" in name:
        path = os.path.abspath(name)
        if not os.path.isfile(path):
            raise CliError(f"no file {name!r}")
        package = _package_of(path) if path.endswith(".py") else None
        if package is not None:  # a module of a package (relative imports): by its name
            root, dotted = package
            sys.path.insert(0, root)
            return _imported(dotted)
        stem = os.path.basename(path)[:-3]
        if stem in sys.stdlib_module_names:  # it would take the standard module's place
            raise CliError(
                f"{name!r} has the name of a module of Python's standard library ({stem}), "
                "which the libraries rtagents runs on import: rename the file"
            )
        if _shadows(stem, path):  # ``import rtagents`` in it would import the file itself
            raise CliError(
                f"{name!r} has the name of a module installed here ({stem}), which rtagents "
                "or the agent's own imports would then find in its place: rename the file"
            )
        sys.path.insert(0, os.path.dirname(path))
        spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
        if spec is None or spec.loader is None or not path.endswith(".py"):
            raise CliError(f"{name!r} is not a Python file; use a module path (my_app.agents)")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)
        except ModuleNotFoundError as exc:  # (as ``_imported`` says it of a dotted name)
            del sys.modules[spec.name]
            raise CliError(f"cannot import {name!r}: {exc}") from None
        return module
    sys.path.insert(0, os.getcwd())
    return _imported(name)


def _shadows(stem: str, path: str) -> bool:
    """Whether a file at ``path`` would take the place of another module named ``stem``:
    one imported already (rtagents itself, anyio, websockets), or one installed."""
    if not stem.isidentifier():
        return False  # (``a.b.py`` would make ``find_spec`` import ``a``)
    loaded = sys.modules.get(stem)
    if loaded is not None:
        where = getattr(loaded, "__file__", None)
        return where is None or not _same_file(where, path)
    try:
        spec = importlib.util.find_spec(stem)
    except (ImportError, ValueError):
        return False
    where = spec.origin if spec is not None else None
    if where is None or not os.path.isfile(where):
        return False  # (none, or a namespace package: a folder, which the file does not hide)
    return not _same_file(where, path)


def _same_file(a: str, b: str) -> bool:
    """One file, however reached (a checkout linked into ``PYTHONPATH``, macOS's ``/tmp``)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _imported(name: str) -> Any:
    if not name or not all(part.isidentifier() for part in name.split(".")):
        # (``.tools`` or ``a..b`` would reach importlib, which raises TypeError, ValueError)
        raise CliError(
            f"{name!r} is not a module name: give a dotted one (my_app.agents), or a file path"
        )
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        raise CliError(f"cannot import {name!r}: {exc}") from None


def _package_of(path: str) -> tuple[str, str] | None:
    """A ``.py`` file inside a package (its folder has ``__init__.py``): the folder above the
    package's top, and the module's dotted name there."""
    folder, parts = os.path.dirname(path), [os.path.basename(path)[:-3]]
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder, top = os.path.split(folder)
        parts.insert(0, top)
    return None if len(parts) == 1 else (folder, ".".join(parts))
