"""``rtagents.connect``: open a session for an agent, on the real API or the emulator."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urlunsplit

from .._redact import (
    credential,
    env_api_key,
    given_key,
    header,
    hold_secrets,
    openai_host,
    redact_url,
    url_parts,
    url_secrets,
)
from .._redact import install as redact_logs
from ..agent import Agent, AudioFormatLike
from ..audio import AudioPlayer
from ..errors import ConnectError
from ..pricing import PriceBook, PriceTable
from ..protocol.audio_formats import named_format
from .actions import TraitsOf
from .journal import Journal
from .lifetime import SessionLifetime
from .live import LiveCore
from .options import check_options
from .reconnect import Reconnect
from .session import DepsT, RealtimeSession, open_session
from .transport import Transport, WebsocketTransport
from .workers import DEFAULT_SYNC_TOOL_THREADS, WorkerPool

if TYPE_CHECKING:
    from .runner import SessionRunner

OPENAI_REALTIME_URL = "wss://api.openai.com/v1/realtime"
OPENAI_LIVE_URL = "wss://api.openai.com/v1/live/sessions"
_DEFAULT_RECONNECT = Reconnect()
_PUBLIC = ("model", "call_id", "intent", "deployment", "api-version")
"""The query keys of a session's URL whose values are no secret (each other one may be)."""
_NAMES_A_MODEL = {"model", "deployment", "intent"}
"""A Realtime URL's query keys that say what runs: the agent's model is not added to them."""


def endpoint(
    url: str | None,
    api_key: str | None,
    headers: Mapping[str, str] | None,
    model: str,
    call_id: str | None,
    api: Literal["realtime", "live"] = "realtime",
) -> tuple[str, dict[str, str]]:
    """The URL and headers to open, or a ConnectError before any connection is tried.
    GPT-Live takes no query: its model goes in ``session.start``, and a call's sideband
    attaches at ``{url}/{call_id}/attach``."""
    live = api == "live"
    # (whitespace around it goes, as around a key: a URL read from a file ends in a newline)
    base = url.strip() if url else (OPENAI_LIVE_URL if live else OPENAI_REALTIME_URL)
    try:
        parts = url_parts(base)
    except ValueError as exc:  # (its message never quotes a password's part)
        raise ConnectError(str(exc)) from None
    if live and call_id:
        path = f"{parts.path.rstrip('/')}/{quote(call_id, safe='')}/attach"
        base = urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
    if parts.scheme not in ("ws", "wss"):
        name = "GPT-Live" if live else "Realtime"
        shown = f"{parts.scheme}://" if parts.scheme else repr(redact_url(base))
        raise ConnectError(f"the {name} URL must start with ws:// or wss://, not {shown}")
    if not live:
        base = _with_query(parts, call_id, model)
    openai = openai_host(parts)
    if parts.scheme == "ws" and openai:
        raise ConnectError(
            "OpenAI's API is reached over wss://: an API key never goes in the clear"
        )
    # One credential for the one Authorization header: the key, or the URL's user:password@
    # (websockets sends it as that header), or a header given; the environment's key yields.
    named = parts.username is not None or any(n.lower() == "authorization" for n in headers or {})
    if named and given_key(api_key) is not None:
        raise ConnectError(
            "api_key= and the URL's user:password@ (or an Authorization header in headers=) "
            "are two credentials for one header: give one"
        )
    key = None if named else given_key(api_key) if api_key is not None else env_api_key(base)
    if not key and not named and openai == "api.openai.com":
        raise ConnectError(
            "no OpenAI API key: pass api_key=... or set OPENAI_API_KEY "
            "(or pass url= to use the local emulator, which needs none)"
        )
    try:
        # Given to connect, they are the session's secrets (see connect); the environment's
        # key is the process's.
        kept = api_key is None
        out = {"Authorization": f"Bearer {credential('API key', key, keep=kept)}"} if key else {}
        for name, value in (headers or {}).items():
            out[name] = header(name, value, keep=False)
    except ValueError as exc:
        raise ConnectError(str(exc)) from None
    return base, out


def _with_query(parts: SplitResult, call_id: str | None, model: str) -> str:
    """A Realtime URL naming the call to attach to, or else the model, in its query: added
    to a query the URL has already (a gateway's token, Azure's ``api-version``), where
    that query names neither itself (Azure names a ``deployment``, and a transcription
    session its ``intent``, not a model)."""
    query = parse_qsl(parts.query, keep_blank_values=True)
    named = dict(query)
    if call_id and any(k == "call_id" and v != call_id for k, v in query):
        raise ConnectError("the URL's query names another call_id than call_id= does")
    if call_id:
        extra = {} if "call_id" in named else {"call_id": call_id}
    else:
        extra = {} if named.keys() & _NAMES_A_MODEL else {"model": model}
    joined = "&".join(q for q in (parts.query, urlencode(extra)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))


def connect(
    agent: Agent,
    url: str | None = None,
    api_key: str | None = None,
    headers: Mapping[str, str] | None = None,
    model: str | None = None,
    call_id: str | None = None,
    *,
    transport: Transport | Callable[[], Transport | Awaitable[Transport]] | None = None,
    reconnect: Reconnect | None = _DEFAULT_RECONNECT,
    player: AudioPlayer | None = None,
    max_buffered_events: int = 2048,
    max_buffered_bytes: int = 32 * 2**20,
    trace_content: bool | None = None,
    max_message_size: int | None = 16 * 2**20,
    ping_interval: float | None = 20.0,
    send_timeout: float | None = 30.0,
    shutdown_grace: float = 2.0,
    sync_tool_threads: int = DEFAULT_SYNC_TOOL_THREADS,
    deps: DepsT = None,  # type: ignore[assignment]
    api: Literal["realtime", "live"] = "realtime",
    prices: PriceTable | None = None,
    audio_format: AudioFormatLike | None = None,
    page_client: bool = False,
) -> SessionLifetime[DepsT]:
    """Open a session for ``agent`` on the Realtime API (or GPT-Live: ``api="live"``) and
    configure it.

    With no ``url``, the OpenAI Realtime API (``wss://api.openai.com/v1/realtime``), keyed
    by ``api_key`` or ``OPENAI_API_KEY``. A ``url`` (the emulator's, say) needs no key.
    ``call_id`` attaches to a SIP call instead of naming a ``model``. On entry the agent is
    sent as ``session.update`` and its ``session.updated`` awaited; a rejected config raises
    ``SessionConfigError`` naming the ``param``. On exit the session closes.

    Args:
        transport: Another way to reach the server than ``url``: a ``Transport``, or a
            function that opens one (which lets the session reconnect, for instance
            ``transport=emu.transport``).
        reconnect: How the session survives a dropped connection (on by default; see
            ``Reconnect``); ``None`` ends the session at the first drop. A ``Transport``
            given as such cannot be opened again, so it never reconnects. On the Realtime
            API a new session is given the conversation back (a replay); on GPT-Live the
            same session is attached again by its id (``.../live/sessions/{id}/attach``),
            and the outputs no response has answered yet are sent again (the server refuses
            a copy it has, which is a warning), then one ``response.create``.
        player: The app's audio player (``rtagents.audio.AudioPlayer``): on a barge-in the
            session truncates the assistant's audio at what it played, and stops it.
        max_buffered_events: Events kept for ``async for`` when the app reads slowly.
        max_buffered_bytes: The same, in frame bytes; the oldest are dropped past either.
        send_timeout: Seconds a send may block (a server that stopped reading) before the
            session closes with that reason. ``None`` waits forever.
        shutdown_grace: Seconds tool code that ignored its cancellation may keep running
            when the session exits, before it is left behind (with a warning in the log).
        sync_tool_threads: The session's own worker threads for sync tools. A thread whose
            call timed out stays taken until its code returns; a call that finds all taken
            waits for one at most its timeout, then the model is told no thread was free.
        deps: The app's own state for its tools (a database, a client, the caller's
            account), given to each tool as ``ctx.deps`` (``ToolContext[MyDeps]`` types it).
        api: ``"realtime"`` (the Realtime API) or ``"live"`` (GPT-Live: with no ``url``,
            ``wss://api.openai.com/v1/live/sessions``; the emulator's is
            ``ws://host:port/v1/live/sessions``). The same agent runs on either: on
            GPT-Live, ``session.start`` (the agent as ``agent.live`` says, ``model`` naming
            the Live model) is sent on entry and ``session.started`` awaited; with a
            ``call_id`` (a SIP call's ``live_...`` session, accepted), a sideband attaches
            to it and sends the agent's delegation settings as ``session.update``.
            After a drop, a GPT-Live session attaches again to the same Live session
            (``{url}/{session_id}/attach``, the id ``session.started`` gave) and configures
            it with ``session.update``; the outputs no response answered yet go again, then
            the batch's one ``response.create``. Only over a ``url`` (not a ``transport``).
        prices: The app's prices (``rtagents.Prices``; rtagents has none), for
            ``session.cost``: one ``Prices`` for the session's ``model``, or a mapping by
            model name, which also prices the transcription model and GPT-Live's backend
            models. A model the table lacks makes the cost ``None``, with a
            ``session.warning`` (once), never a guess.
        audio_format: The session's audio format both ways (``"pcmu"``, say), whatever the
            agent, or one it hands off to, sets: for a line whose audio is fixed (a phone
            bridge's u-law). ``None``: each agent's own.
        page_client: The call (``call_id``) is a browser's, made with a client secret: its
            page is a client of the same session, and the API takes an approval's answer
            from it, and shows it the session's tools. Every agent the session takes (the
            first, one of ``update_agent``, a handoff's) is then refused if it has a hosted
            MCP server that asks for approval or whose URL carries a credential
            (``ValueError``; a handoff refused is told to the model). ``CallServer`` sets it
            for the browser calls it attaches.
    """
    if not isinstance(agent, Agent):
        raise TypeError(f"connect() takes an rtagents.Agent first, not {agent!r:.60}")
    agent.check()  # (changed in place since it was made: said before anything reads it)
    check_options(
        api_key=api_key,
        headers=headers,
        reconnect=reconnect,
        max_buffered_events=max_buffered_events,
        max_buffered_bytes=max_buffered_bytes,
        max_message_size=max_message_size,
        ping_interval=ping_interval,
        send_timeout=send_timeout,
        shutdown_grace=shutdown_grace,
    )
    workers = WorkerPool(sync_tool_threads)  # checked before anything is opened
    live = api == "live"
    if live:
        if call_id is not None and not call_id.startswith("live_"):
            raise ConnectError(
                f"call_id={call_id[:40]!r} is not a GPT-Live session id (live_...): a Realtime "
                "call (rtc_...) attaches with api='realtime'"
            )
        if transport is not None and reconnect is not None:
            if reconnect is not _DEFAULT_RECONNECT:
                raise ConnectError(
                    "rtagents reconnects a GPT-Live session over its url only (it attaches "
                    "again to the session by id): pass url=..., or reconnect=None"
                )
            reconnect = None
    elif api != "realtime":
        raise ValueError(f"api must be 'realtime' or 'live', not {api!r}")
    if reconnect is not None and reconnect.handover_before_s is not None and (live or call_id):
        # Re-attaching gives the same session back, with the same time cap: a handover would
        # be due again at once, and again, until the cap.
        raise ConnectError(
            "Reconnect(handover_before_s=) moves to a fresh session, and a "
            + ("GPT-Live session" if live else "call's sideband (call_id=)")
            + " re-attaches to the same one, with the same time cap: leave it None"
        )
    if audio_format is not None:
        named_format(audio_format, "connect(audio_format=...)")  # said here, before opening
    if page_client and call_id is None:
        raise ValueError("page_client=True is for a browser's call: give its call_id too")
    model = model or (agent.live.model if live else agent.model)
    book = PriceBook(prices, model) if prices is not None else None  # checked before opening
    redact_logs()
    opener: Callable[[], Awaitable[Transport]] | None
    given: Transport | None = None
    # Each object made here is kept by every open session, for the collector to scan (a
    # list, a closure's cell): only what this session needs is made.
    cores: list[LiveCore] = [] if live else _NO_CORES  # its Live adapter, once made
    if transport is None:
        target, hdrs = endpoint(url, api_key, headers, model, call_id, api)
        opener = _Opener(
            target,
            hdrs,
            (url, api_key, headers, model, cores) if live and call_id is None else None,
            max_message_size,
            ping_interval,
        )
    elif isinstance(transport, type) or (callable(transport) and not _has_any(transport)):
        opener = functools.partial(_open_with, transport)
    else:
        given = _transport(transport, "got ")
        opener = None

    options = {
        "deps": deps,
        "max_buffered_events": max_buffered_events,
        "max_buffered_bytes": max_buffered_bytes,
        "model": model,
        "trace_content": trace_content,
        "send_timeout": send_timeout,
        "shutdown_grace": shutdown_grace,
        "reconnect": reconnect,
        "sideband": call_id is not None,
        "player": player,
        "workers": workers,
        "adapter": functools.partial(_live_core, cores, model, call_id is not None)
        if live
        else None,
        "prices": book,
        "audio_format": audio_format,
        "page_client": page_client,
    }
    lifetime: SessionLifetime[Any] = SessionLifetime(
        functools.partial(_opened, agent, opener, given, options)
    )
    # The session's credentials are secrets for as long as it lives (a caller's own token
    # must not stay one for the process's life: every log record is checked against each).
    # A gateway's token may be the URL's query (``?token=``): held too, not the model's name.
    held = (api_key, *(headers or {}).values(), *url_secrets(url or "", public=_PUBLIC))
    given_secrets = (v.strip() for v in held if v)
    let_go = hold_secrets(lifetime, given_secrets)
    if let_go is not None:  # (an idle session without credentials of its own keeps none)
        lifetime.hold(let_go)
    return lifetime


async def _opened(
    agent: Agent,
    opener: Callable[[], Awaitable[Transport]] | None,
    given: Transport | None,
    options: dict[str, Any],
) -> tuple[Agent, RealtimeSession[Any], SessionRunner]:
    """The session ``connect`` asked for, on its first connection (not started yet)."""
    first = given if opener is None else await opener()
    assert first is not None  # (given when there is no opener)
    session, runner = open_session(agent, first, opener=opener, **options)
    return agent, session, runner


class _Opener:
    """Opens the session's websocket again after a drop: one small object per session, no
    closure. ``live``: a GPT-Live session's (url, api_key, headers, model, cores), which
    attaches again to the same session by its id."""

    __slots__ = ("headers", "live", "max_message_size", "ping_interval", "target")

    def __init__(
        self,
        target: str,
        headers: dict[str, str],
        live: tuple[str | None, str | None, Mapping[str, str] | None, str, list[LiveCore]] | None,
        max_message_size: int | None,
        ping_interval: float | None,
    ) -> None:
        self.target, self.headers, self.live = target, headers, live
        self.max_message_size, self.ping_interval = max_message_size, ping_interval

    async def __call__(self) -> Transport:
        where = self.target
        if self.live is not None:
            url, api_key, headers, model, cores = self.live
            if cores and cores[0].session_id:
                # After a drop: the same Live session, attached to by id.
                where, _ = endpoint(url, api_key, headers, model, cores[0].session_id, "live")
        return await WebsocketTransport.open(
            where,
            self.headers,
            max_message_size=self.max_message_size,
            ping_interval=self.ping_interval,
        )


_NO_CORES: list[LiveCore] = []
"""A Realtime session's (never added to): one list shared, not one per session."""


async def _open_with(factory: Callable[[], Transport | Awaitable[Transport]]) -> Transport:
    """A transport the app's function opens (``transport=``, for each connection)."""
    made = factory()
    return _transport(await made if inspect.isawaitable(made) else made, "returned ")


def _live_core(
    cores: list[LiveCore],
    model: str,
    sideband: bool,
    traits: TraitsOf,
    journal: Journal | None = None,
) -> LiveCore:
    """The session's Live adapter, kept in ``cores``: a reconnect attaches by its session id."""
    core = LiveCore(traits, journal, model=model, sideband=sideband)
    cores.append(core)
    return core


# What a ``Transport`` must have, read from the protocol itself (one list to keep).
_TRANSPORT_METHODS = tuple(
    name for name, value in vars(Transport).items() if callable(value) and name[0] != "_"
)


def _has_any(obj: object) -> bool:
    return any(hasattr(obj, name) for name in _TRANSPORT_METHODS)


def _transport(obj: object, how: str) -> Transport:
    """``obj`` as a ``Transport``, or a ``TypeError`` naming what it lacks: a transport
    missing a method would otherwise be taken for a function that opens one."""
    missing = [name for name in _TRANSPORT_METHODS if not callable(getattr(obj, name, None))]
    if missing:
        raise TypeError(
            f"transport= {how}{type(obj).__name__}, which is not a Transport: it has no "
            f"{', '.join(missing)} (give a Transport, or a function that opens one)"
        )
    return cast(Transport, obj)
