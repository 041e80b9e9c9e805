"""Secrets never reach a log line: not ours, not our dependencies'.

websockets logs a handshake's headers at DEBUG (``Authorization: Bearer sk-...``), httpx logs
request URLs at INFO (``?token=...``), and any library may echo a header value in an error.
A filter on those loggers rewrites each record before any handler sees it: known secrets (the
API key and header values the app handed us) are replaced wherever they appear, and so are
the shapes of credentials (auth headers, bearer tokens, ``sk-`` keys and ``ek_`` client
secrets, a key in a websocket's subprotocols, URL passwords and query strings).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import weakref
from collections.abc import Callable, Collection, Iterable
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlsplit, urlunsplit

_MASK = "[redacted]"
_HEADER = re.compile(
    r"(?i)\b(authorization|proxy-authorization|api-key|x-api-key|openai-api-key|cookie|set-cookie"
    r"|x-goog-api-key|x-twilio-signature|webhook-signature)"
    # name: value, name=value, 'name': 'value', and httpcore's (b'name', b'value') pairs
    r"(\s*[:=]\s*|'\s*:\s*'|\"\s*:\s*\"|'\s*,\s*b')[^\r\n,'\"}]*"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
# API keys (``sk-``) and the client secrets minted for browsers (``ek_``).
_KEY = re.compile(r"\b(?:sk-|ek_)[A-Za-z0-9_-]{8,}")
# A browser presents its key in the websocket's subprotocols, whatever its shape.
_SUBPROTOCOL = re.compile(r"(?i)\b(openai-insecure-api-key\.)[^\s,'\"]+")
# A URL's password (``scheme://user:password@host``), whether or not the URL was registered.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/?#@:'\"]*:)[^\s/?#@'\"]+@")
# A key given as a URL's user name alone (``scheme://sk_live_...@host``): masked when token-like.
_USERNAME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^\s/?#@:'\"]+):?@")
# A URL's query, absolute or a path alone (uvicorn's access log shows ``/twilio?token=...``).
_QUERY = re.compile(r"((?:https?|wss?)://[^\s?#'\"]+|(?<![^\s'\"(])/[^\s?#'\"]*)\?[^\s#'\"]+")
# An ASGI scope's query as uvicorn's TRACE log prints it (``'query_string': b'token=...'``).
# (Python quotes bytes holding a ' with ", and escapes what else needs it: up to the quote
# that closes the opening one, escapes included.)
_SCOPE_QUERY = re.compile(r"""(['"]query_string['"]\s*:\s*b?(['"]))(?:\\.|(?!\2)[^\\])*""")

_secrets: dict[str, int] = {}
"""Each secret, and how many hold it: the app's own (``register_secret``) for the process's
life, a session's or an MCP server's (``hold_secrets``) for as long as it lives. A process
carries thousands of sessions, each maybe with a credential of its own (a caller's token):
they must not pile up, as every log record is checked against each one."""
_ordered: tuple[str, ...] = ()  # the secrets, longest first (one masks before its parts)
_lock = threading.Lock()

# Logger families whose records may carry credentials (mcp 2 ships its HTTP stack as
# httpx2/httpcore2; an MCP server in the app's process logs its replies through
# sse_starlette). A filter on a logger sees only the records made by that logger itself,
# so it goes on every logger of these families that exists when a connection is made.
FAMILIES = ("rtagents", "websockets", "httpx", "httpcore", "mcp", "uvicorn", "sse_starlette")
# Some are made only when a connection opens (websockets'): made here, so they get it too.
KNOWN = ("rtagents", "websockets.client", "websockets.server", "httpx", "httpx2")


def env_api_key(url: str | None) -> str | None:
    """``OPENAI_API_KEY`` for a request to ``url``: OpenAI's own hosts only (``None``: the
    API's default URL). Another server (an emulator, a proxy, a URL someone gave) is given a
    key explicitly, or none: the environment's key never goes there, nor anywhere without
    TLS (``ws://``, ``http://``: the key would travel in the clear)."""
    parts = urlsplit(url) if url else None
    secure = parts is None or parts.scheme in ("wss", "https")
    openai = parts is None or openai_host(parts)
    return given_key(os.environ.get("OPENAI_API_KEY")) if openai and secure else None


def given_key(key: str | None) -> str | None:
    """``key``, or ``None`` when it is only whitespace (a key read from an empty file, an
    ``OPENAI_API_KEY=" "``): no key at all, said as such, never sent as an empty bearer."""
    return key if key is not None and key.strip() else None


def server_said(body: bytes | bytearray | str) -> str:
    """The server's word on a refused request: an OpenAI error's ``message``, else the start
    of the body (nothing for an empty one); secrets masked, as a server may echo a key."""
    text = body if isinstance(body, str) else bytes(body).decode("utf-8", "replace")
    try:
        return redact(str(json.loads(text)["error"]["message"]))
    except (ValueError, KeyError, TypeError, RecursionError):
        said = " ".join(text[:200].split())
        return "" if said.startswith("<") else redact(said)  # (a page's markup says nothing)


def openai_host(parts: SplitResult) -> str | None:
    """The OpenAI host name ``parts`` reaches (``api.openai.com``; written with the trailing
    dot of a fully qualified name or not, in any case), or ``None`` for any other host."""
    host = (parts.hostname or "").rstrip(".")
    return host if host == "openai.com" or host.endswith(".openai.com") else None


def register_secret(value: str | None) -> None:
    """Never log ``value`` (an API key, a header value, a URL token) from now on."""
    _count((value,), 1)


def hold_secrets(owner: object, values: Iterable[str | None]) -> Callable[[], None] | None:
    """Never log ``values`` while ``owner`` lives (a session's credentials, an MCP server's):
    let go when it is freed, or when what this returns is called (its end), whichever
    comes first (``None``: there was nothing to hold). A value someone else holds too stays
    a secret."""
    kept = tuple(_counted(values))
    if not kept:
        return None
    _count(kept, 1)
    return weakref.finalize(owner, _count, kept, -1)


def _counted(values: Iterable[str | None]) -> Iterable[str]:
    return (value for value in values if value and len(value) >= 6)


def _count(values: Iterable[str | None], step: int) -> None:
    global _ordered
    with _lock:
        changed = False  # (a count that moves changes nothing to look for)
        for value in _counted(values):
            held = _secrets.get(value, 0) + step
            changed |= (held > 0) != (value in _secrets)
            if held > 0:
                _secrets[value] = held
            else:
                _secrets.pop(value, None)
        if changed:
            _ordered = tuple(sorted(_secrets, key=len, reverse=True))


def redact(text: str) -> str:
    """``text`` with every known secret and credential shape masked."""
    for secret in _ordered:
        if secret in text:
            text = text.replace(secret, _MASK)
    text = _HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{_MASK}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {_MASK}", text)
    text = _KEY.sub(_MASK, text)
    text = _SUBPROTOCOL.sub(lambda m: f"{m.group(1)}{_MASK}", text)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{_MASK}@", text)
    text = _USERNAME.sub(
        lambda m: m.group(0) if not _token_like(m.group(2)) else f"{m.group(1)}{_MASK}@", text
    )
    text = _SCOPE_QUERY.sub(lambda m: f"{m.group(1)}{_MASK}", text)
    return _QUERY.sub(lambda m: f"{m.group(1)}?{_MASK}", text)


def register_url_secrets(url: str) -> None:
    """Never log the credentials a URL carries: its password (``user:password@``) and the
    values of its query (tokens travel there)."""
    _count(url_secrets(url), 1)


def url_secrets(url: str, *, path: bool = False, public: Collection[str] = ()) -> list[str | None]:
    """The credentials ``url`` carries: its password and the values of its query (but those
    of the ``public`` keys, such as a model's name); with ``path``, its path too, and each
    long part of it, unless every part is a generic one (an MCP service's URL may be its own
    credential: Zapier's ``/api/mcp/s/<token>/mcp``)."""
    user, rest = _user_part(url)
    name, _, password = user.partition(":") if user is not None else (None, "", None)
    parts = _split(url.partition("://")[0] + "://" + rest if "://" in url else rest)
    queries = {parts.query, _split(url).query}  # (as read past a password, and as parsed)
    found = [password, *(v for q in queries for k, v in parse_qsl(q) if k not in public)]
    if name and _token_like(name):  # a key given as the user name (``https://sk_...@host``)
        found.append(name)
    if path and not _generic(parts.path):
        found += [parts.path, *(p for p in parts.path.split("/") if len(p) >= _LONG_PART)]
    return found


def url_credentials(url: str) -> list[str]:
    """What in ``url`` is a credential, read to refuse a URL that others would see (a
    page), not to hide it in a log (``url_secrets`` hides more): its user part, the values
    of its query, and each part of its path that reads as a token (Zapier's
    ``/api/mcp/s/<token>/mcp``); a plain path (``/openai/tiktoken``) is none."""
    user, rest = _user_part(url)
    parts = _split(url.partition("://")[0] + "://" + rest if "://" in url else rest)
    found = [user] if user else []
    found += [v for q in {parts.query, _split(url).query} for _, v in parse_qsl(q) if v]
    return found + [p for p in parts.path.split("/") if _token_like(p)]


def _split(url: str) -> SplitResult:
    """``urlsplit(url)``, or for a URL it refuses (an unclosed ``[``), the same parts cut at
    the characters that end them: a URL that is no URL still has its query's tokens found."""
    try:
        return urlsplit(url)
    except ValueError:
        scheme, sep, rest = url.partition("://")
        if not sep:
            scheme, rest = "", url
        rest, _, fragment = rest.partition("#")
        rest, _, query = rest.partition("?")
        netloc, slash, path = rest.partition("/")
        return SplitResult(scheme, netloc, slash + path, query, fragment)


def _token_like(text: str) -> bool:
    """Whether ``text`` reads as a key or a token: long, with letters and digits."""
    return (
        len(text) >= _LONG_PART
        and any(c.isdigit() for c in text)
        and any(c.isalpha() for c in text)
    )


def _user_part(url: str) -> tuple[str | None, str]:
    """``url``'s ``user:password`` (``None``: none) and what follows it (after ``://``). A
    URL that parses is read as parsed. One that does not may have a password holding what
    ends a host (``/``, ``?``, ``#``) unescaped: whatever comes before its last ``@`` is the
    user part then (more is hidden, never less), and all of it when that part has a ``?`` or
    a ``#`` (the ``@`` may be the query's: what follows it may be a token)."""
    rest = url.partition("://")[2] if "://" in url else url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a password with a / ? or # reads as a bad port
    except ValueError:
        user, at, after = rest.rpartition("@")
        if not at:
            return None, rest
        return user, "" if ("?" in user or "#" in user) else after
    if "@" not in parts.netloc:
        return None, rest
    user = parts.netloc.rpartition("@")[0]
    return user, rest[len(user) + 1 :]


_GENERIC_PARTS = frozenset({"", "mcp", "sse", "api", "v1", "v2", "messages"})
_LONG_PART = 16  # a path's part this long may be a token (an id, a key): held, when not generic


def _generic(path: str) -> bool:
    return all(part in _GENERIC_PARTS for part in path.split("/"))


def url_parts(url: str) -> SplitResult:
    """``urlsplit(url)``, its port read (a port that is none raises now, not in a library's
    first request), or a ``ValueError`` that shows the URL without its secrets. A password
    holding an unescaped ``/``, ``?`` or ``#`` ends the host early, and the parser's own
    message would quote its first part as a port: the reason is said instead."""
    if _CONTROL.search(url):  # (``urlsplit`` drops line breaks and tabs unsaid; httpx refuses)
        raise ValueError(f"not a URL: {redact_url(url)!r} (a control character: a line break?)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018
    except ValueError as exc:
        why = "a password's /, ? or # must be %-escaped" if "@" in url else str(exc)
        raise ValueError(f"not a URL: {redact_url(url)!r} ({why})") from None
    return parts


def without_credentials(url: str) -> str:
    """``url`` without its ``user:password@``, for someone else to use (a browser)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def redact_url(url: str, *, path: bool = True) -> str:
    """A URL as it may be shown: without its query string and fragment (tokens travel
    there), and without a password (``user:password@``); without ``path``, without its path
    too, unless it is a generic one (``/mcp``: see ``url_secrets``)."""
    scheme, sep, _ = url.partition("://")
    if not sep:
        scheme = ""
    user, rest = _user_part(url)
    rest = rest.split("#", 1)[0].split("?", 1)[0]
    host, slash, shown = rest.partition("/")
    if user is not None:
        host = "[redacted]@" + host
    if not path and not _generic("/" + shown):
        shown = "..."
    return f"{scheme}{sep}{host}{slash}{shown}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a header's name (RFC 9110, 5.6.2)


def credential(name: str, value: str, *, keep: bool = True) -> str:
    """``value`` as a header ``name`` may carry it, and (``keep``) never logged from now on;
    without ``keep``, its owner holds it (``hold_secrets``). Whitespace around it goes (a key
    read from a file ends in a newline); a control character inside it raises
    ``ValueError`` naming the header, never the value."""
    value = value.strip()
    if _CONTROL.search(value):
        raise ValueError(f"the {name} holds a control character (a line break?): check it")
    if keep:
        register_secret(value)
    return value


def header(name: str, value: str, *, keep: bool = True) -> str:
    """``credential`` for a header the app gave, its name checked too: a token (a colon or a
    line break in it would make another header). The name is not quoted: a value written
    into it by mistake (``"X-Api-Key: sk-..."``) would be."""
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        raise ValueError(
            "a header name holds what no name may (a colon, a space, a line break): give "
            "each header as name: value"
        )
    return credential(f"{name} header", value, keep=keep)


class RedactFilter(logging.Filter):
    """Rewrites a record that shows a secret before any handler sees it. The record keeps
    its shape where it can: formatters may read ``args`` themselves (uvicorn's access log
    unpacks five of them), so each argument is redacted in place, and only when a secret
    spans arguments (websockets logs ``"> %s: %s"``, a header's name and value) does the
    record become its redacted message, with no arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "rtagents_redacted", False):
            return True  # done as it was made (``_Redacting``)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; leave it to logging
            return True
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        cleaned = redact(message)
        if cleaned == message:
            return True
        args = _redacted_args(record.args)
        try:
            kept = args is not None and redact(str(record.msg) % args) == str(record.msg) % args
        except Exception:
            kept = False
        if kept:
            record.args = args
        else:
            record.msg, record.args = cleaned, ()
        return True


def _redacted_args(args: object) -> tuple[object, ...] | dict[str, object] | None:
    """``args`` with each string redacted (a tuple, or the one mapping ``%(name)s`` reads)."""
    if isinstance(args, tuple):
        return tuple(redact(a) if isinstance(a, str) else a for a in args)
    if isinstance(args, dict):
        return {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
    return None


_FILTER = RedactFilter()


class _Redacting:
    """A log record factory: the one before it makes the record, and a record of a watched
    family is redacted there, before any logger or handler sees it."""

    redacts = True

    def __init__(self, previous: Callable[..., logging.LogRecord]) -> None:
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        if isinstance(record.name, str) and record.name.startswith(FAMILIES):
            _FILTER.filter(record)
            record.rtagents_redacted = True
        return record


def install() -> None:
    """Redact the records of the watched families: each one as it is made (a record factory,
    so that a logger made later, ``rtagents.calls`` or uvicorn's, is covered too), and by a
    filter on every such logger that exists now, which still holds if the app replaces the
    factory without keeping ours. Idempotent; cheap enough to call at each connect. The
    environment's ``OPENAI_API_KEY`` is the process's secret, whoever passes it on."""
    key = os.environ.get("OPENAI_API_KEY")
    if key and key.strip() not in _secrets:
        register_secret(key.strip())
    previous = logging.getLogRecordFactory()
    if not getattr(previous, "redacts", False):
        logging.setLogRecordFactory(_Redacting(previous))
    names = [*KNOWN, *logging.root.manager.loggerDict]
    for name in names:
        if not name.startswith(FAMILIES):
            continue
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
