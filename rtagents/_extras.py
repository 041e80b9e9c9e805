"""The optional extras (``[project.optional-dependencies]``): the one way rtagents imports a
module that only an extra installs, so that its absence is one clear line saying what to
install (``ExtraMissing``), from the library and from every command alike."""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import ExtraMissing


def require(extra: str, module: str, feature: str) -> ModuleType:
    """``module`` imported, or ``ExtraMissing`` naming ``extra``. ``feature`` says what needs
    it ("CallServer", "audio at other rates"), for the message."""
    try:
        return importlib.import_module(module)
    except ImportError:
        # The distribution's name, not the submodule's: that is what the user recognises.
        raise ExtraMissing(feature, module.partition(".")[0], extra) from None
