"""Who is on a call: a SIP ``From`` or ``To`` header (or a Twilio ``From`` number), read
into its parts. The header comes from the phone network, so parsing never raises: what
cannot be read is left ``None``, and the header itself is always kept in ``raw``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

_SCHEMES = frozenset({"sip", "sips", "tel"})
_VISUAL = str.maketrans("", "", "-.() ")  # RFC 3966's visual separators, and spaces
_NUMBER = re.compile(r"\+?[0-9]{1,15}")  # E.164 has at most 15 digits


@dataclass(frozen=True)
class CallParty:
    """The caller or the callee of a call (``call.caller``, ``call.callee``).

    ``str(party)`` is the raw header. Everything in it is untrusted input from the phone
    network.

    Attributes:
        raw: The header as it came: ``'"Ann" <sip:+15550100@example.com>;tag=a1'``.
        display_name: The name before the address (``Ann``), unquoted; ``None`` if none.
        scheme: ``"sip"``, ``"sips"`` or ``"tel"``; ``None`` for a bare number or text that
            is not an address.
        user: The user part of a SIP address (``+15550100``, ``alice``), percent-decoded and
            without a password; a ``tel:`` address's number as written; a bare number.
        host: The host of a SIP address, without its port (``example.com``).
        params: The parameters of the address and of the header
            (``{"user": "phone", "tag": "a1"}``).
    """

    raw: str
    display_name: str | None = None
    scheme: str | None = None
    user: str | None = None
    host: str | None = None
    params: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def number(self) -> str | None:
        """The telephone number, when the user part is one: its digits, with the leading
        ``+`` if it had one and visual separators removed (``tel:+1-555-0100`` gives
        ``+15550100``). ``None`` for a name (``sip:alice@...``, ``anonymous``)."""
        if self.user is None:
            return None
        digits = self.user.translate(_VISUAL)
        return digits if _NUMBER.fullmatch(digits) else None

    def __str__(self) -> str:
        return self.raw

    @classmethod
    def parse(cls, header: str) -> CallParty:
        """Read a ``From``/``To`` header: ``"Name" <sip:user@host;uri-params>;params``,
        ``sip:user@host``, ``tel:+1555...`` or a bare number. Never raises."""
        text = header.strip()
        display, rest = _display_name(text)
        if rest is None:
            return cls(header)
        if rest.startswith("<"):
            end = rest.find(">")
            if end < 0:
                return cls(header, display)
            uri, tail = rest[1:end], rest[end + 1 :]
        else:  # no brackets: every ";" parameter belongs to the header (RFC 3261 20.10)
            uri, _, tail = rest.partition(";")
        scheme, colon, body = uri.partition(":")
        scheme = scheme.strip().lower()
        if not colon or scheme not in _SCHEMES:
            bare = uri.strip()
            number = bare if _NUMBER.fullmatch(bare.translate(_VISUAL)) else None
            return cls(header, display, user=number)
        body, _, _ = body.partition("?")  # URI headers (?subject=...) are not the party
        address, _, uri_params = body.partition(";")
        params = {**_params(uri_params), **_params(tail)}
        if scheme == "tel":
            return cls(header, display, scheme, unquote(address) or None, None, params)
        userinfo, at, hostport = address.rpartition("@")
        user = unquote(userinfo.partition(":")[0]) if at else ""  # never the password
        return cls(header, display, scheme, user or None, _host(hostport), params)


def _display_name(text: str) -> tuple[str | None, str | None]:
    """The display name and the rest of the header; ``(None, None)`` when a quoted name
    is never closed."""
    if text.startswith('"'):
        name: list[str] = []
        i = 1
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text):
                name.append(text[i + 1])
                i += 2
                continue
            if char == '"':
                return "".join(name), text[i + 1 :].lstrip()
            name.append(char)
            i += 1
        return None, None
    start = text.find("<")
    if start > 0:
        return text[:start].strip() or None, text[start:]
    return None, text


def _params(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in text.split(";"):
        name, _, value = part.partition("=")
        if name.strip():
            params[name.strip().lower()] = value.strip()
    return params


def _host(hostport: str) -> str | None:
    if hostport.startswith("["):  # an IPv6 address: [2001:db8::1]:5060
        end = hostport.find("]")
        return hostport[: end + 1] if end > 0 else None
    return hostport.partition(":")[0].strip() or None
