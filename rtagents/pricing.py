"""What usage costs: prices by model, as the app states them (rtagents knows no prices: they
change, differ by account and are the app's to state), and the cost of a ``UsageRecord``
from them, never a guess: what has no price makes the cost unknown.

``Prices`` is each kind of token's price for one model; ``PriceBook`` a table in use, which
says once what it cannot price. It imports nothing of rtagents: every layer may use it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Union

log = logging.getLogger("rtagents.usage")  # the channel apps know (pricing was usage's)

Price = Union[Decimal, int, float, str]
"""A price as the app writes it: ``Decimal("0.40")``, ``"0.40"``, ``0.4`` or ``4``."""


def _decimal(name: str, value: Price | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
        raise TypeError(f"Prices.{name} must be a number or a numeric string, not {value!r:.40}")
    try:
        # Through str: 0.4 is Decimal("0.4"), not the float's binary expansion.
        out = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueError(f"Prices.{name} is not a number: {value!r:.40}") from None
    if not out.is_finite() or out < 0:
        raise ValueError(f"Prices.{name} must be a finite price >= 0, not {value!r:.40}")
    return out


_TOKEN_PRICES = (
    "text_input",
    "cached_text_input",
    "audio_input",
    "cached_audio_input",
    "image_input",
    "cached_image_input",
    "text_output",
    "audio_output",
)


@dataclass(frozen=True)
class Prices:
    """The prices of one model, as the app states them (any currency; rtagents has none of
    its own). Token prices are for ``per`` tokens (a million by default, as price lists
    give them); ``per_minute`` is for a minute of what is billed by duration (a
    ``whisper-1`` transcription, a GPT-Live session).

    A price left out (``None``) is unknown, not free: usage of that kind makes the cost
    ``None``. Say ``0`` for what is free.
    """

    text_input: Price | None = None
    cached_text_input: Price | None = None
    audio_input: Price | None = None
    cached_audio_input: Price | None = None
    image_input: Price | None = None
    cached_image_input: Price | None = None
    text_output: Price | None = None
    audio_output: Price | None = None
    per_minute: Price | None = None
    per: int = 1_000_000

    def __post_init__(self) -> None:
        for name in (*_TOKEN_PRICES, "per_minute"):
            object.__setattr__(self, name, _decimal(name, getattr(self, name)))
        if isinstance(self.per, bool) or not isinstance(self.per, int) or self.per <= 0:
            raise ValueError(f"Prices.per must be a whole number of tokens > 0, not {self.per!r}")

    def price(self, name: str) -> Decimal | None:
        """One price, as the ``Decimal`` it was made (``None``: not stated)."""
        value: Decimal | None = getattr(self, name)
        return value

    def _tokens(self, tokens: Any) -> tuple[Decimal, list[str]]:
        """The cost of ``tokens``, and the prices it lacked."""
        counts = {
            "text_input": tokens.text_input - tokens.cached_text_input,
            "cached_text_input": tokens.cached_text_input,
            "audio_input": tokens.audio_input - tokens.cached_audio_input,
            "cached_audio_input": tokens.cached_audio_input,
            "image_input": tokens.image_input - tokens.cached_image_input,
            "cached_image_input": tokens.cached_image_input,
            "text_output": tokens.text_output,
            "audio_output": tokens.audio_output,
        }
        total, missing = Decimal(0), []
        for name, count in counts.items():
            if count <= 0:
                continue
            price = self.price(name)
            if price is None:
                missing.append(name)
            else:
                total += price * count
        if tokens.other_input or tokens.other_output:
            missing.append("tokens of no stated modality")
        return total / self.per, missing


def _table(prices: Any) -> Mapping[str, Prices]:
    """``prices`` checked: a mapping of model name to ``Prices``."""
    if not isinstance(prices, Mapping) or not all(
        isinstance(k, str) and isinstance(v, Prices) for k, v in prices.items()
    ):
        raise TypeError(
            "prices must be a mapping of model name to Prices ({'gpt-realtime': "
            f"Prices(...)}}), not {prices!r:.60}"
        )
    return prices


def price_usage(usage: Any, prices: Any) -> tuple[Decimal, list[str]]:
    """The cost of ``usage`` (a ``usage.UsageRecord``, by its fields: ``usage`` imports this
    module) at ``prices`` (checked: a mapping of model name to ``Prices``), and what in it
    has no price, in words."""
    return _price(usage, _table(prices))


def _price(usage: Any, table: Mapping[str, Prices]) -> tuple[Decimal, list[str]]:
    total, missing = Decimal(0), []

    def of(model: str) -> Prices | None:
        found = table.get(model)
        if found is None:
            missing.append(f"model {model!r} has no prices")
        return found

    for model, tokens in [*usage.models.items(), *usage.transcription.items()]:
        if not tokens or (entry := of(model)) is None:
            continue
        cost, lacks = entry._tokens(tokens)
        total += cost
        missing += [f"model {model!r} has no {name} price" for name in lacks]
    for model, seconds in usage.seconds.items():
        if seconds <= 0 or (entry := of(model)) is None:
            continue
        per_minute = entry.price("per_minute")
        if per_minute is None:
            missing.append(f"model {model!r} has no per_minute price")
        else:
            total += per_minute * _exact(seconds) / 60
    return total, missing


def _exact(seconds: float) -> Decimal:
    """Seconds as billed: to the microsecond (servers report milliseconds), so that a sum of
    floats prices as the sum of its parts (0.1 + 0.2 s is 0.3 s, not 0.30000000000000004)."""
    return Decimal(str(round(seconds, 6)))


PriceTable = Union["Prices", Mapping[str, "Prices"]]
"""Prices by model name, or one ``Prices`` for the session's own model."""


class PriceBook:
    """A price table in use: it prices usage, and says once per model what it cannot
    price (in the log, and to the caller, who may tell the app)."""

    def __init__(self, prices: PriceTable, model: str | Sequence[str] | None = None) -> None:
        if isinstance(prices, Prices):  # for ``model`` (each of them)
            if not model:
                raise ValueError("one Prices needs the model it is for")
            prices = dict.fromkeys([model] if isinstance(model, str) else model, prices)
        self.table: Mapping[str, Prices] = MappingProxyType(dict(_table(prices)))
        self._told: set[str] = set()

    def cost(self, usage: Any) -> tuple[Decimal | None, list[str]]:
        """The cost of ``usage`` (``None`` when part of it has no price), and what it could
        not price that was not said before."""
        total, missing = _price(usage, self.table)
        news = [m for m in dict.fromkeys(missing) if m not in self._told]
        for message in news:
            self._told.add(message)
            log.warning("no cost for this usage: %s", message)
        return (None if missing else total), news
