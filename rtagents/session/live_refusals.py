"""What GPT-Live does not take from the app: the Realtime API's requests that drive turns
(the Live model drives them itself), each refused with what to do instead."""

from __future__ import annotations

from .. import protocol as p
from ..errors import UnsupportedByAPI
from .actions import Action

_API = "GPT-Live"
_TURNS = "the model drives turns and barge-in"


class LiveRefusals:
    """The app's requests a GPT-Live session refuses (``UnsupportedByAPI``)."""

    def send_text(self, text: str) -> list[Action]:
        raise UnsupportedByAPI(
            _API,
            "typed user input",
            "the model hears the user's audio; give it context with session.thinking() "
            "(silent) or session.commentary() (spoken), or put it in the agent's instructions",
        )

    def commit_audio(self) -> list[Action]:
        raise UnsupportedByAPI(_API, "input audio commit", "the model detects turns itself")

    def request_response(self, params: p.ResponseCreateParams | None = None) -> list[Action]:
        raise UnsupportedByAPI(
            _API,
            "response.create of the app's own",
            f"{_TURNS} (a delegated batch's response.create is the session's own)",
        )

    def cancel_response(self) -> list[Action]:
        raise UnsupportedByAPI(_API, "response.cancel", _TURNS)

    def interrupt(self, played_ms: int | None) -> list[Action]:
        raise UnsupportedByAPI(_API, "truncate", _TURNS)
