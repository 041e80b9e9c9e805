"""Token usage and what it costs: what a session used, by model and by modality, summed from
what the server reports, and priced by a table the app supplies (rtagents knows no prices:
they change, differ by account and are the app's to state).

``Tokens`` is one model's counts by modality, ``UsageRecord`` a session's (or a call's, or
any sum of them: both add with ``+``), ``Prices`` each kind of token's price for a model.
Reading the server's usage shapes is here too, so that the session's count, its spans and its
metrics are made by the same code. It imports nothing of rtagents: every layer may use it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Union

log = logging.getLogger("rtagents.usage")
_NOTHING: Mapping[str, Any] = MappingProxyType({})  # every record's empty maps: one object

Price = Union[Decimal, int, float, str]
"""A price as the app writes it: ``Decimal("0.40")``, ``"0.40"``, ``0.4`` or ``4``."""


def _get(obj: Any, name: str) -> Any:
    """A field of a wire model or of its dict (the Live backend's events come as dicts)."""
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _count(obj: Any, name: str) -> int:
    value = _get(obj, name) if obj is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@dataclass(frozen=True)
class Tokens:
    """One model's tokens, by modality, as the server counted them.

    The cached counts are part of their modality's input (as the server reports them):
    ``text_input`` includes ``cached_text_input``. ``other_input`` and ``other_output`` are
    tokens the server counted without saying of which modality (a report with no details):
    they are in the totals, and make the cost unknown rather than wrong.
    """

    text_input: int = 0
    cached_text_input: int = 0
    audio_input: int = 0
    cached_audio_input: int = 0
    image_input: int = 0
    cached_image_input: int = 0
    text_output: int = 0
    audio_output: int = 0
    other_input: int = 0
    other_output: int = 0

    @property
    def input_tokens(self) -> int:
        return self.text_input + self.audio_input + self.image_input + self.other_input

    @property
    def cached_tokens(self) -> int:
        return self.cached_text_input + self.cached_audio_input + self.cached_image_input

    @property
    def output_tokens(self) -> int:
        return self.text_output + self.audio_output + self.other_output

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{f.name}={getattr(self, f.name)}" for f in fields(self) if getattr(self, f.name)
        )
        return f"Tokens({counts})"

    def __add__(self, other: Tokens) -> Tokens:
        if not isinstance(other, Tokens):
            return NotImplemented
        return Tokens(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __bool__(self) -> bool:
        return self.total_tokens > 0

    def parts(self) -> Iterator[tuple[str, str, int]]:
        """``(direction, modality, tokens)`` for each kind with tokens, each token once:
        ``("input", "cached_audio", 12)``, ``("input", "audio", 40)`` (the audio input not
        cached), ``("output", "text", 9)``. What the metrics record."""
        for modality in ("text", "audio", "image"):
            cached = getattr(self, f"cached_{modality}_input")
            fresh = getattr(self, f"{modality}_input") - cached
            if fresh > 0:
                yield "input", modality, fresh
            if cached > 0:
                yield "input", f"cached_{modality}", cached
        if self.other_input:
            yield "input", "other", self.other_input
        for modality in ("text", "audio", "other"):
            count = getattr(self, f"{modality}_output")
            if count > 0:
                yield "output", modality, count

    # -- the server's shapes -----------------------------------------------------------------

    @classmethod
    def from_realtime(cls, usage: Any) -> Tokens:
        """A Realtime ``response.done``'s ``usage`` (``RealtimeResponseUsage``)."""
        if usage is None:
            return cls()
        inp, out = _get(usage, "input_token_details"), _get(usage, "output_token_details")
        cached = _get(inp, "cached_tokens_details") if inp is not None else None
        text, audio, image = (
            _count(inp, k) for k in ("text_tokens", "audio_tokens", "image_tokens")
        )
        text_out, audio_out = _count(out, "text_tokens"), _count(out, "audio_tokens")
        return cls(
            text_input=text,
            cached_text_input=_count(cached, "text_tokens"),
            audio_input=audio,
            cached_audio_input=_count(cached, "audio_tokens"),
            image_input=image,
            cached_image_input=_count(cached, "image_tokens"),
            text_output=text_out,
            audio_output=audio_out,
            other_input=max(0, _count(usage, "input_tokens") - text - audio - image),
            other_output=max(0, _count(usage, "output_tokens") - text_out - audio_out),
        )

    @classmethod
    def from_responses(cls, usage: Any) -> Tokens:
        """A Responses API ``usage`` (GPT-Live's backend responses and its Decision API's
        answers): text in, text out, with the cached part of the input."""
        if usage is None:
            return cls()
        return cls(
            text_input=_count(usage, "input_tokens"),
            cached_text_input=_count(_get(usage, "input_tokens_details"), "cached_tokens"),
            text_output=_count(usage, "output_tokens"),
        )

    @classmethod
    def from_transcription(cls, usage: Any) -> Tokens:
        """An input transcription's ``usage`` when its model bills by tokens
        (``type: "tokens"``): audio (and the prompt's text) in, text out."""
        details = _get(usage, "input_token_details")
        text, audio = _count(details, "text_tokens"), _count(details, "audio_tokens")
        return cls(
            text_input=text,
            audio_input=audio,
            other_input=max(0, _count(usage, "input_tokens") - text - audio),
            text_output=_count(usage, "output_tokens"),
        )


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping)) if mapping else _NOTHING


def _merged(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out[key] + value if key in out else value
    return out


@dataclass(frozen=True)
class UsageRecord:
    """What a session (or a call, or any sum of them: ``a + b``) used, by model.

    Attributes:
        models: The conversation's tokens, by model: the Realtime model's responses (every
            ``response.done``, out-of-band ones included); on GPT-Live, its backend's
            responses and its Decision API's answers, each by the model that made them.
        transcription: The input audio's transcription, by its model, for models that bill
            by tokens (``gpt-4o-transcribe``...). Billed at the transcription model's prices.
        seconds: What is billed by duration, in seconds, by model: transcription models that
            bill by the second (``whisper-1``), and a GPT-Live session's billable time.
        responses: How many responses were counted.
    """

    models: Mapping[str, Tokens] = field(default_factory=dict)
    transcription: Mapping[str, Tokens] = field(default_factory=dict)
    seconds: Mapping[str, float] = field(default_factory=dict)
    responses: int = 0

    def __post_init__(self) -> None:
        # Read-only views: a record handed to the app cannot be changed under the session.
        for name in ("models", "transcription", "seconds"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def __repr__(self) -> str:
        return (
            f"UsageRecord(models={dict(self.models)}, transcription={dict(self.transcription)}, "
            f"seconds={dict(self.seconds)}, responses={self.responses})"
        )

    def __hash__(self) -> int:
        return hash(
            (
                tuple(sorted(self.models.items())),
                tuple(sorted(self.transcription.items())),
                tuple(sorted(self.seconds.items())),
                self.responses,
            )
        )

    def __add__(self, other: UsageRecord) -> UsageRecord:
        if not isinstance(other, UsageRecord):
            return NotImplemented
        return UsageRecord(
            _merged(self.models, other.models),
            _merged(self.transcription, other.transcription),
            _merged(self.seconds, other.seconds),
            self.responses + other.responses,
        )

    def __bool__(self) -> bool:
        return bool(self.responses or self.models or self.transcription or self.seconds)

    @property
    def tokens(self) -> Tokens:
        """The conversation's tokens, every model together (transcription not included)."""
        return sum(self.models.values(), Tokens())

    @property
    def input_tokens(self) -> int:
        return self.tokens.input_tokens

    @property
    def output_tokens(self) -> int:
        return self.tokens.output_tokens

    @property
    def total_tokens(self) -> int:
        return self.tokens.total_tokens

    def cost(self, prices: Mapping[str, Prices]) -> Decimal | None:
        """What this usage cost, in the prices' currency, from ``prices`` by model name.
        ``None`` when something used has no price: a model missing from the table, a kind
        of token its ``Prices`` leaves out, tokens of no stated modality. Never a guess."""
        total, missing = _price(self, _table(prices))
        return None if missing else total

    def unpriced(self, prices: Mapping[str, Prices]) -> list[str]:
        """What in this usage ``prices`` has no price for, in words (empty: all priced)."""
        return _price(self, _table(prices))[1]


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

    def _tokens(self, tokens: Tokens) -> tuple[Decimal, list[str]]:
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


def _price(usage: UsageRecord, table: Mapping[str, Prices]) -> tuple[Decimal, list[str]]:
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
            total += per_minute * Decimal(str(seconds)) / 60
    return total, missing


PriceTable = Union["Prices", Mapping[str, "Prices"]]
"""Prices by model name, or one ``Prices`` for the session's own model."""


class PriceBook:
    """A price table in use: it prices usage, and says once per model what it cannot
    price (in the log, and to the caller, who may tell the app)."""

    def __init__(self, prices: PriceTable, model: str | None = None) -> None:
        if isinstance(prices, Prices):
            if model is None:
                raise ValueError("one Prices needs the model it is for")
            prices = {model: prices}
        self.table: Mapping[str, Prices] = _frozen(_table(prices))
        self._told: set[str] = set()

    def cost(self, usage: UsageRecord) -> tuple[Decimal | None, list[str]]:
        """The cost of ``usage`` (``None`` when part of it has no price), and what it could
        not price that was not said before."""
        total, missing = _price(usage, self.table)
        news = [m for m in dict.fromkeys(missing) if m not in self._told]
        for message in news:
            self._told.add(message)
            log.warning("no cost for this usage: %s", message)
        return (None if missing else total), news
