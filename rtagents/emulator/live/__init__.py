"""The emulator's GPT-Live server: the sans-I/O core of one Live session (``LiveCore``), served
on the emulator's port beside the Realtime one (``/v1/live/sessions``)."""

from .core import LiveCore

__all__ = ["LiveCore"]
