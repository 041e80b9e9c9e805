"""Secrets never reach a log line: not ours, not our dependencies'.

websockets logs a handshake's headers at DEBUG (``Authorization: Bearer sk-...``), httpx logs
request URLs at INFO (``?token=...``), and any library may echo a header value in an error.
A filter on those loggers rewrites each record before any handler sees it: known secrets (the
API key and header values the app handed us) are replaced wherever they appear, and so are
the shapes of credentials (auth headers, bearer tokens, ``sk-`` keys, URL query strings).
"""

from __future__ import annotations

import logging
import re
import threading

_MASK = "[redacted]"
_HEADER = re.compile(
    r"(?i)\b(authorization|proxy-authorization|api-key|x-api-key|openai-api-key|cookie|set-cookie"
    r"|x-goog-api-key)(\s*[:=]\s*|'\s*:\s*'|\"\s*:\s*\")[^\r\n,'\"}]*"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_KEY = re.compile(r"\bsk-[A-Za-z0-9_-]{8,}")
_QUERY = re.compile(r"((?:https?|wss?)://[^\s?#'\"]+)\?[^\s#'\"]+")

_secrets: set[str] = set()
_lock = threading.Lock()

# Logger families whose records may carry credentials (mcp 2 ships its HTTP stack as
# httpx2/httpcore2). A filter on a logger sees only the records made by that logger itself,
# so it goes on every logger of these families that exists when a connection is made.
FAMILIES = ("rtagents", "websockets", "httpx", "httpcore", "mcp", "uvicorn")
# Some are made only when a connection opens (websockets'): made here, so they get it too.
KNOWN = ("rtagents", "websockets.client", "websockets.server", "httpx", "httpx2")


def register_secret(value: str | None) -> None:
    """Never log ``value`` (an API key, a header value, a URL token) from now on."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with every known secret and credential shape masked."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, _MASK)
    text = _HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{_MASK}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {_MASK}", text)
    text = _KEY.sub(_MASK, text)
    return _QUERY.sub(lambda m: f"{m.group(1)}?{_MASK}", text)


def redact_url(url: str) -> str:
    """A URL as it may be shown: without its query string (tokens travel there)."""
    return url.split("?", 1)[0]


class RedactFilter(logging.Filter):
    """Formats the record's message once, redacted, so that no handler sees the secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; leave it to logging
            return True
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = cleaned, None
        return True


_FILTER = RedactFilter()


def install() -> None:
    """Put the filter on every logger of the watched families (idempotent; cheap enough to
    call at each connect, by when the libraries have made their loggers)."""
    names = [*KNOWN, *logging.root.manager.loggerDict]
    for name in names:
        if not name.startswith(FAMILIES):
            continue
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
