"""Token usage: what a session used, by model and by modality, summed from what the server
reports (what it costs is ``pricing``'s).

``Tokens`` is one model's counts by modality, ``UsageRecord`` a session's (or a call's, or
any sum of them: both add with ``+``). Reading the server's usage shapes is here too, so that
the session's count, its spans and its metrics are made by the same code. It imports nothing
of rtagents but ``pricing``: every layer may use it.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from .pricing import Prices, price_usage


class FrozenMap(dict[str, Any]):
    """A dict that cannot be changed: a ``UsageRecord``'s maps. Read, copied, pickled and
    turned into JSON (``dataclasses.asdict``) as a dict is, unlike a read-only proxy."""

    __slots__ = ()

    def _refused(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a usage record's maps cannot be changed: add records instead")

    __setitem__ = __delitem__ = __ior__ = _refused
    clear = pop = popitem = setdefault = update = _refused

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))


_NOTHING: Mapping[str, Any] = FrozenMap()  # every record's empty maps: one object


def _get(obj: Any, name: str) -> Any:
    """A field of a wire model or of its dict (the Live backend's events come as dicts)."""
    return obj.get(name) if type(obj) is dict or isinstance(obj, dict) else getattr(obj, name, None)


def _count(obj: Any, name: str) -> int:
    """A count the server reported: a positive ``int`` (not a bool), else 0. Every event
    that reports usage reads a dozen of these, so the check is by exact type."""
    value = _get(obj, name) if obj is not None else None
    return value if type(value) is int and value > 0 else 0


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
        return Tokens(*map(operator.add, _counts(self), _counts(other)))

    def __radd__(self, other: object) -> Tokens:
        # ``sum()``'s first step is ``0 + first``: the usage of many is ``sum(...)``.
        return self if type(other) is int and other == 0 else NotImplemented

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
        text = _count(inp, "text_tokens")
        audio = _count(inp, "audio_tokens")
        image = _count(inp, "image_tokens")
        text_out, audio_out = _count(out, "text_tokens"), _count(out, "audio_tokens")
        inputs = {"text": text, "audio": audio, "image": image}
        hits = {m: _count(cached, f"{m}_tokens") for m in inputs}
        other = max(0, _count(usage, "input_tokens") - text - audio - image)
        for m, hit in hits.items():
            # Cached tokens a modality's own count leaves out (its count not given): they are
            # of that modality's input, not of ``other``, or they would count twice.
            if hit > inputs[m]:
                lifted = min(hit - inputs[m], other)
                inputs[m], other = inputs[m] + lifted, other - lifted
                hits[m] = min(hit, inputs[m])
        unplaced = _count(inp, "cached_tokens") - sum(hits.values())
        if unplaced > 0:
            other += _place_cached(inputs, hits, unplaced)
        return cls(
            text_input=inputs["text"],
            cached_text_input=hits["text"],
            audio_input=inputs["audio"],
            cached_audio_input=hits["audio"],
            image_input=inputs["image"],
            cached_image_input=hits["image"],
            text_output=text_out,
            audio_output=audio_out,
            other_input=other,
            other_output=max(0, _count(usage, "output_tokens") - text_out - audio_out),
        )

    @classmethod
    def from_responses(cls, usage: Any) -> Tokens:
        """A Responses API ``usage`` (GPT-Live's backend responses and its Decision API's
        answers): text in, text out, with the cached part of the input."""
        if usage is None:
            return cls()
        text = _count(usage, "input_tokens")
        cached = _count(_get(usage, "input_tokens_details"), "cached_tokens")
        return cls(
            text_input=text,
            cached_text_input=min(cached, text),  # (of the input: never more, as Realtime's)
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


_counts = operator.attrgetter(*(f.name for f in fields(Tokens)))
"""A ``Tokens``' counts, in field order, as a tuple."""


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return FrozenMap(mapping) if mapping else _NOTHING


def _merged(a: Mapping[str, Any], b: Mapping[str, Any]) -> Mapping[str, Any]:
    """``a`` and ``b`` summed by key: one of them as it is when the other is empty (both
    are a record's read-only maps), else a new dict."""
    if not b:
        return a
    if not a:
        return b
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
        return reported(
            _merged(self.models, other.models),
            _merged(self.transcription, other.transcription),
            _merged(self.seconds, other.seconds),
            self.responses + other.responses,
        )

    def __radd__(self, other: object) -> UsageRecord:
        return self if type(other) is int and other == 0 else NotImplemented  # (as Tokens')

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
        total, missing = price_usage(self, prices)
        return None if missing else total

    def unpriced(self, prices: Mapping[str, Prices]) -> list[str]:
        """What in this usage ``prices`` has no price for, in words (empty: all priced)."""
        return price_usage(self, prices)[1]


def reported(
    models: Mapping[str, Tokens] = _NOTHING,
    transcription: Mapping[str, Tokens] = _NOTHING,
    seconds: Mapping[str, float] = _NOTHING,
    responses: int = 0,
) -> UsageRecord:
    """A ``UsageRecord`` (for the session's meter and sums, not the app): a record's own
    read-only map kept as it is, anything else copied, without the constructor's checks."""
    record = object.__new__(UsageRecord)
    for name, value in (("models", models), ("transcription", transcription), ("seconds", seconds)):
        if type(value) is not FrozenMap:
            value = _frozen(value)
        object.__setattr__(record, name, value)
    object.__setattr__(record, "responses", responses)
    return record


def _place_cached(inputs: dict[str, int], hits: dict[str, int], unplaced: int) -> int:
    """Cached tokens the details do not place (they are optional): the one modality with
    room for them takes them; else they go out of the modalities' counts (the total stays
    the server's) as tokens of no stated modality, which make the cost unknown, never billed
    whole. Returns how many tokens it moved out of the modalities' counts: cached tokens no
    modality counted are in the input of no stated modality already."""
    room = {m: n - hits[m] for m, n in inputs.items() if n > hits[m]}
    if len(room) == 1:
        [(only, free)] = room.items()
        hits[only] += min(free, unplaced)
        return 0
    left = unplaced
    for m, free in room.items():
        take = min(left, free)
        inputs[m] -= take
        left -= take
    return unplaced - left
