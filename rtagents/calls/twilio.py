"""Twilio Media Streams: a phone call through Twilio, bridged to a Realtime session.

Twilio opens a websocket to ``/twilio`` (TwiML ``<Connect><Stream url="wss://.../twilio">``)
and speaks its documented JSON messages: ``connected``, ``start`` (call SID, custom
parameters, ``audio/x-mulaw`` at 8 kHz), ``media`` every 20 ms, ``dtmf``, ``mark`` and
``stop``. The bridge:

- passes the caller's G.711 u-law through as ``audio/pcmu`` and the agent's back, with no
  transcoding (the session is configured for ``audio/pcmu`` both ways);
- follows each chunk of the agent's audio with a ``mark``: Twilio echoes a mark when the
  audio before it has played, so the marks say what the caller heard;
- on a barge-in, truncates the answer at the last acknowledged mark and sends ``clear``
  (the session's player mechanism: ``TwilioPlayer`` is an ``AudioPlayer``);
- tells the agent about keypad presses (DTMF).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Union

from .._latest import keep_latest
from .._redact import credential
from .._seconds import check_seconds
from ..errors import RtagentsError
from ..protocol.audio_formats import audio_ms, base64_bytes
from .access import CallerRequest
from .inbound import check_twilio_sid, shown

log = logging.getLogger("rtagents.calls.twilio")

DtmfHandler = Callable[[Any, str], Union[Awaitable[None], None]]
"""``handler(session, digit)``: what a keypad press does (sync or async)."""


class TwilioStreamError(RtagentsError):
    """A media stream that did not start as Twilio's do."""


async def say_digit(session: Any, digit: str) -> None:
    """The default DTMF handler: the agent is told, as a user message, and answers."""
    await session.send_text(f"(the caller pressed {digit} on the keypad)")


@dataclass(frozen=True)
class TwilioStreams:
    """The ``/twilio`` endpoint's settings (``CallServer(twilio=TwilioStreams(...))``).

    Args:
        auth_token: The Twilio account's auth token: the websocket request's
            ``X-Twilio-Signature`` is checked with it and a stream without a valid one is
            refused. ``None`` turns the check off (anyone who finds the URL can then open a
            stream on your OpenAI account): it must be said explicitly.
        on_dtmf: ``handler(session, digit)`` for keypad presses; the default tells the
            agent, which answers.
        start_timeout: Seconds to wait for Twilio's ``start`` message.
    """

    auth_token: str | None
    on_dtmf: DtmfHandler = say_digit
    start_timeout: float = 10.0

    def __post_init__(self) -> None:
        # Here, not at the first stream: a zero would refuse every signed stream, and a
        # handler that is not callable would fail at each press.
        check_seconds(self.start_timeout, "TwilioStreams start_timeout")
        if not callable(self.on_dtmf):
            raise TypeError(f"on_dtmf must be callable, not {type(self.on_dtmf).__name__}")
        token = self.auth_token
        if token is None:
            return  # the check is off, as said
        if not isinstance(token, str):
            raise TypeError(f"auth_token must be a str (or None), not {type(token).__name__}")
        # Stripped (read from a file, it ends in a newline) and never logged. An empty one
        # would key the signature with "", which anyone can compute: only None turns it off.
        token = credential("Twilio auth token", token)
        if not token:
            raise ValueError(
                "auth_token is empty (an unset variable?): give the account's auth token, or "
                "None to accept unsigned streams"
            )
        object.__setattr__(self, "auth_token", token)

    def __repr__(self) -> str:  # the token is a secret
        signed = "set" if self.auth_token else "None (unsigned)"
        return f"TwilioStreams(auth_token={signed})"

    async def signed(self, request: CallerRequest) -> bool:
        """The ``/twilio`` route's ``authorize``: whether the handshake carries Twilio's
        signature of its URL (as Twilio signed it, ``wss://``; anything goes with no token).
        Async, though it never waits: a sync check would wait for one of the worker threads
        the app's own sync code (routers, tools) may hold, and a signed stream be refused."""
        if self.auth_token is None:
            return True
        url = "wss://" + request.url.partition("://")[2]
        signature = request.headers.get("x-twilio-signature", "")
        return any(signature_ok(self.auth_token, form, signature) for form in _port_forms(url))


def twilio_signature(auth_token: str, url: str) -> str:
    """``X-Twilio-Signature`` of a request with no form parameters (a websocket's):
    base64 of the HMAC-SHA1 of the URL, keyed with the auth token."""
    digest = hmac.new(auth_token.encode(), url.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_ok(auth_token: str, url: str, signature: str) -> bool:
    # As bytes: ``compare_digest`` raises on text that is not ASCII, where a stranger's
    # header is simply not the signature.
    expected = twilio_signature(auth_token, url).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "surrogateescape"))


def _port_forms(url: str) -> tuple[str, ...]:
    """``url`` with and without its default port (``:443``): Twilio signs the URL as the
    app gave it, and a proxy in front may pass the ``Host`` header with the port, or without
    (Twilio's own validators try both)."""
    scheme, _, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    if netloc.endswith(":443"):
        other = netloc[: -len(":443")]
    elif netloc.endswith("]") or ":" not in netloc:  # no port (an IPv6 host's brackets)
        other = netloc + ":443"
    else:
        return (url,)
    return url, f"{scheme}://{other}{slash}{path}"


@dataclass(frozen=True)
class StreamStart:
    """Twilio's ``start`` message, checked."""

    stream_sid: str
    call_sid: str
    parameters: dict[str, str]
    encoding: str


def parse_start(message: dict[str, Any]) -> StreamStart:
    start = message.get("start")
    if not isinstance(start, dict):
        raise TwilioStreamError("a start message without its start object")
    try:  # the call SID becomes the call's id (registry keys, log lines): Twilio's shape only
        stream_sid = check_twilio_sid(start.get("streamSid") or message.get("streamSid"))
        call_sid = check_twilio_sid(start.get("callSid"))
    except ValueError as exc:
        raise TwilioStreamError(
            f"a start message without a valid streamSid and callSid: {exc}"
        ) from None
    raw = start.get("customParameters") or {}
    parameters = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    fmt = start.get("mediaFormat") or {}
    encoding = str(fmt.get("encoding", "audio/x-mulaw")) if isinstance(fmt, dict) else "?"
    if encoding != "audio/x-mulaw" or (
        isinstance(fmt, dict) and fmt.get("sampleRate", 8000) != 8000
    ):
        raise TwilioStreamError(f"media format {shown(fmt)}: Twilio streams are u-law at 8 kHz")
    return StreamStart(stream_sid, call_sid, parameters, encoding)


def decode_message(text: str | None) -> dict[str, Any] | None:
    """A message from Twilio (a text frame's ``text``), or ``None`` for a frame that is not
    text (Twilio sends none) or not a JSON object (logged)."""
    if not isinstance(text, str):
        log.warning("a Twilio stream frame that is not text was ignored")
        return None
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        log.warning("a Twilio stream message that is not JSON was ignored")
        return None
    if not isinstance(message, dict) or not isinstance(message.get("event"), str):
        log.warning("a Twilio stream message without an event was ignored")
        return None
    return message


def part(message: dict[str, Any], key: str) -> dict[str, Any]:
    """``message[key]`` when it is an object, else an empty one: every field of a message is
    read through this, so no shape a sender picks can raise."""
    value = message.get(key)
    return value if isinstance(value, dict) else {}


def media_payload(message: dict[str, Any]) -> bytes | None:
    """The caller's audio in a ``media`` message (u-law bytes), ``None`` when it carries
    none of theirs; ``ValueError`` when its payload is not base64."""
    media = part(message, "media")
    payload, track = media.get("payload"), media.get("track", "inbound")
    if track not in ("inbound", "inbound_track"):
        return None  # a stream of both tracks also carries the agent's own audio
    if not isinstance(payload, str):
        raise ValueError(f"a media message whose payload is {type(payload).__name__}")
    # Twilio's is base64 as it should be; a relay's line breaks, or padding it lost, are
    # read all the same (dropped, the caller's audio would be lost: the model hears nothing).
    text = "".join(payload.split())
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a media message whose payload is not base64") from None


_CUT_KEPT = 64  # items cut by barge-ins remembered: far more than a loop can lag behind


class TwilioPlayer:
    """The caller's speaker, as far as marks tell: an ``AudioPlayer`` for a Twilio stream.

    Each chunk of the agent's audio goes out as a ``media`` message followed by a ``mark``
    named by a counter; the mark stands for the end of that chunk in its item. When Twilio
    echoes a mark, everything before it has been played. ``clear`` tells Twilio to drop
    what it has queued; marks it then echoes were dropped, not played, so they are
    forgotten first.
    """

    def __init__(self, stream_sid: str, send: Callable[[dict[str, Any]], None]) -> None:
        self.stream_sid = stream_sid
        self._send = send
        self._count = 0
        self._pending: OrderedDict[str, tuple[str, int]] = OrderedDict()  # mark -> item, end
        self._sent: dict[str, int] = {}  # bytes of the item sent so far (see base64_bytes)
        self._played: dict[str, int] = {}  # bytes of the item played
        # The items clears stopped, the latest (a dict kept in order): an item a barge-in
        # cut before the loop read any of it stays cut across the next barge-in too.
        self._cut: dict[str, None] = {}
        self.last_mark: str | None = None

    def play(self, item_id: str, payload: str) -> None:
        """Send a chunk of the agent's audio (base64 u-law, as the session received it).
        The rest of an item a clear stopped is not sent: the app reads its chunks after the
        session cleared the player (they came before the barge-in), and Twilio would play
        them, as a clear drops only what it has queued when the clear comes."""
        if item_id in self._cut:
            return
        end = self._sent.get(item_id, 0) + base64_bytes(payload)
        self._sent = {item_id: end}  # only the latest item can still be cut
        self._count += 1
        name = f"m{self._count}"
        self._pending[name] = (item_id, end)
        self._send({"event": "media", "streamSid": self.stream_sid, "media": {"payload": payload}})
        self._send({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}})

    def acknowledged(self, name: str) -> None:
        """Twilio echoed mark ``name``: it and every mark before it have played."""
        if name not in self._pending:
            return  # dropped by a clear, or not ours
        while self._pending:
            mark, (item_id, end) = self._pending.popitem(last=False)
            self._played = {item_id: end}
            self.last_mark = mark
            if mark == name:
                return

    def played_ms(self, item_id: str) -> int | None:
        return audio_ms(self._played.get(item_id, 0), "audio/pcmu")

    def all_played(self) -> bool:
        """Whether Twilio has played everything sent (every mark echoed)."""
        return not self._pending

    def clear(self) -> None:
        self._pending.clear()
        for item_id in self._sent:
            keep_latest(self._cut, item_id, None, _CUT_KEPT)
        self._send({"event": "clear", "streamSid": self.stream_sid})

    def cut(self, item_id: str) -> None:
        """The session stopped ``item_id``: none of it is sent from here, also when none of
        it was yet (the app's loop had not read its first chunk at the barge-in)."""
        keep_latest(self._cut, item_id, None, _CUT_KEPT)
