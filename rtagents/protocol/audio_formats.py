"""Session audio formats: their names, and how much audio a number of bytes is in each."""

from __future__ import annotations

from typing import Any, Literal, Union

from .session_config import AudioPCM, AudioPCMA, AudioPCMU

AudioFormatName = Literal[
    "pcm16", "pcmu", "pcma", "audio/pcm", "audio/pcmu", "audio/pcma", "g711_ulaw", "g711_alaw"
]
"""A format by name: ours, the API's own type (what its docs and the openai SDK write), or the
beta API's (what older phone guides write)."""

AudioFormat = Union[AudioPCM, AudioPCMU, AudioPCMA]

_NAMED: dict[str, AudioFormat] = {
    "pcm16": AudioPCM(type="audio/pcm", rate=24000),
    "audio/pcm": AudioPCM(type="audio/pcm", rate=24000),
    "pcmu": AudioPCMU(type="audio/pcmu"),
    "audio/pcmu": AudioPCMU(type="audio/pcmu"),
    "g711_ulaw": AudioPCMU(type="audio/pcmu"),
    "pcma": AudioPCMA(type="audio/pcma"),
    "audio/pcma": AudioPCMA(type="audio/pcma"),
    "g711_alaw": AudioPCMA(type="audio/pcma"),
}


def named_format(value: Any, field: str = "audio format") -> AudioFormat:
    """The format ``value`` is (a name, or a format model, taken as it is); ``field``, the
    setting that gave it, is named when it is none (``ValueError`` for a name we do not
    know, ``TypeError`` for anything else)."""
    if isinstance(value, str):
        named = _NAMED.get(value)
        if named is None:
            raise ValueError(
                f"{field}: unknown audio format {value!r}: use pcm16, pcmu or pcma (or the "
                "API's audio/pcm, audio/pcmu, audio/pcma; g711_ulaw, g711_alaw)"
            )
        return named.model_copy()
    if isinstance(value, (AudioPCM, AudioPCMU, AudioPCMA)):
        return value
    raise TypeError(
        f"{field} takes a format's name ('pcmu') or a protocol format model "
        f"(protocol.AudioPCMU()), not {type(value).__name__}"
    )


BYTES_PER_MS: dict[str, int] = {
    "audio/pcm": 48,  # 16-bit mono at 24 kHz
    "audio/pcmu": 8,  # G.711 mu-law, 8 kHz
    "audio/pcma": 8,  # G.711 A-law, 8 kHz
}


def audio_ms(byte_count: int, fmt: str = "audio/pcm") -> int:
    """Milliseconds of audio in ``byte_count`` bytes of ``fmt``."""
    return byte_count // BYTES_PER_MS.get(fmt, 48)


def base64_audio_ms(b64_length: int, fmt: str = "audio/pcm") -> int:
    """Milliseconds of audio in a base64 string of that length (no decoding needed)."""
    return audio_ms(b64_length * 3 // 4, fmt)


def base64_bytes(b64: str) -> int:
    """How many bytes a base64 string holds (no decoding needed). An item's length is
    counted so, in bytes, and read in milliseconds once: deltas need not be whole
    milliseconds (12.5 ms of G.711), and a sum of each one's floored count falls short."""
    return len(b64) * 3 // 4 - b64.count("=", -2)


def output_format(session: object) -> str:
    """The output audio format type of a session config, a model or its JSON dict (such as
    ``session.config``); ``audio/pcm`` when unset. A Realtime session says it under
    ``audio.output.format``; a GPT-Live one, whose audio has one format both ways, under
    ``audio.format``."""
    return _format(session, "output")


_CONFIGURED = frozenset({"session.created", "session.updated", "session.started"})


def reported_output_format(event: object) -> str | None:
    """The output audio format a server event says the session has from then on (its
    ``session.created``, ``session.updated``, GPT-Live's ``session.started``); ``None`` for
    any other event. A reader of the session's events in their order (a speaker loop, a
    handler) follows the format so: the deltas after such an event are in its format, while
    ``session.output_format`` is the latest reported, which a lagging reader may not have
    reached yet."""
    if getattr(event, "type", None) not in _CONFIGURED:
        return None
    return output_format(getattr(event, "session", None))


def input_format(session: object) -> str:
    """The input audio format type, as ``output_format`` reads the output's."""
    return _format(session, "input")


def declared_input_format(session: object) -> str | None:
    """The input audio format a session config sets, ``None`` where it sets none (an update
    without one leaves the format as it was)."""
    return _declared(session, "input")


def _format(session: object, direction: str) -> str:
    return _declared(session, direction) or "audio/pcm"


def _declared(session: object, direction: str) -> str | None:
    for path in (("audio", direction, "format", "type"), ("audio", "format", "type")):
        value: object = session
        for key in path:
            value = value.get(key) if isinstance(value, dict) else getattr(value, key, None)
        if isinstance(value, str) and value:
            return value
    return None
