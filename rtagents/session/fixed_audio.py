"""An agent as a session of fixed audio sends it (``connect(..., audio_format=...)``): a phone
line's u-law, whatever the agent, one it hands off to, or the app's ``update_agent`` says."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..agent import Agent, AudioFormatLike


def speaking(agent: Agent, audio: AudioFormatLike) -> Agent:
    """A copy of ``agent`` (not ``clone``: that checks it, and warns, again) with ``audio``
    both ways, and no format of its own in ``session_options`` (merged last, it would win)."""
    pinned = copy.copy(agent)
    pinned.input_audio_format = pinned.output_audio_format = audio
    options = agent.session_options
    if isinstance(options.get("audio"), dict):
        sides = {side: _without_format(v) for side, v in options["audio"].items()}
        pinned.session_options = {**options, "audio": sides}
    return pinned


def _without_format(side: Any) -> Any:
    if not isinstance(side, dict):
        return side
    return {key: value for key, value in side.items() if key != "format"}
