"""The Decision API inside a Live session: the questions asked (by a ``decisions`` delegation
or a transcript trigger) and the answers a ``decision.event`` brings back."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Discriminator, Field, StrictBool, StrictStr, Tag

from .._base import WireModel
from ._tags import by_type
from .items import ContentPart

TranscriptEventType = Literal["session.input_transcript.delta", "session.output_transcript.delta"]
"""The transcript events a trigger can fire on."""

ChoiceValue = Union[StrictStr, StrictBool]
"""A choice's value: a string or a boolean (``"true"`` and ``True`` are different choices)."""

Instructions = Union[str, list[ContentPart]]
"""A question's instructions: text, or parts (text, images, JSON)."""

# -- questions -------------------------------------------------------------------------------


class PredicateQuestion(WireModel):
    """A yes/no question, answered with a probability."""

    type: Literal["predicate"] = "predicate"
    instructions: Instructions
    name: str | None = None


class ChoiceOption(WireModel):
    """One of a choice question's options."""

    value: ChoiceValue
    description: str | None = None


class ChoiceQuestion(WireModel):
    """A question answered by picking one of ``choices``."""

    type: Literal["choice"] = "choice"
    instructions: Instructions
    choices: list[ChoiceOption]
    name: str | None = None


class ScoreLevel(WireModel):
    """One level of a score question's scale."""

    label: str
    description: str | None = None


class ScoreQuestion(WireModel):
    """A question answered with a score on the scale of ``levels``."""

    type: Literal["score"] = "score"
    instructions: Instructions
    levels: list[ScoreLevel]
    name: str | None = None


DecisionQuestion = Annotated[
    PredicateQuestion | ChoiceQuestion | ScoreQuestion, Field(discriminator="type")
]
"""Any question, discriminated by ``type``."""


class DecisionsConfig(WireModel):
    """What a ``decisions`` delegation asks: its model and questions, evaluated together."""

    model: str
    questions: list[DecisionQuestion]


class DecisionsUpdate(WireModel):
    """Changes to a ``decisions`` delegation; what is left out keeps its value."""

    model: str | None = None
    questions: list[DecisionQuestion] | None = None


class TriggerDecisions(WireModel):
    """The questions a trigger asks, with the transcript and the session's Decision items."""

    questions: list[DecisionQuestion]


class DecisionTrigger(WireModel):
    """Ask questions on every transcript delta of one kind (at most one trigger per kind);
    each firing is answered by a ``decision.event`` with a ``trigger_id``."""

    type: Literal["decisions"] = "decisions"
    event_type: TranscriptEventType
    decisions: TriggerDecisions


# -- answers ---------------------------------------------------------------------------------


class PredicateAnswer(WireModel):
    """How likely the predicate is true."""

    type: Literal["predicate"] = "predicate"
    probability: float
    name: str | None = None


class ChoiceProbability(WireModel):
    """How likely one choice is."""

    value: ChoiceValue
    probability: float


class ChoiceAnswer(WireModel):
    """The choice picked, with the probability of each."""

    type: Literal["choice"] = "choice"
    choice: ChoiceValue
    confidence: float
    probabilities: list[ChoiceProbability]
    name: str | None = None


class ScoreProbability(WireModel):
    """How likely one level of the scale is (``value`` is its index)."""

    label: str
    value: int
    probability: float


class ScoreAnswer(WireModel):
    """The score given, with the probability of each level."""

    type: Literal["score"] = "score"
    score: float
    confidence: float
    probabilities: list[ScoreProbability]
    name: str | None = None


class RefusalAnswer(WireModel):
    """The model would not answer this question (the others may still have answers)."""

    type: Literal["refusal"] = "refusal"
    name: str | None = None


# A choice answer has a ``choice`` field, a score answer a ``score``: tagged apart (see by_type).
DecisionAnswer = Annotated[
    Annotated[PredicateAnswer, Tag("answer:predicate")]
    | Annotated[ChoiceAnswer, Tag("answer:choice")]
    | Annotated[ScoreAnswer, Tag("answer:score")]
    | Annotated[RefusalAnswer, Tag("answer:refusal")],
    Discriminator(by_type({k: f"answer:{k}" for k in ("predicate", "choice", "score", "refusal")})),
]
"""Any answer, discriminated by ``type``."""


class DecisionInputTokensDetails(WireModel):
    """Input tokens read from the prompt cache, and written to it."""

    cache_write_tokens: int
    cached_tokens: int


class DecisionOutputTokensDetails(WireModel):
    """Output tokens spent reasoning."""

    reasoning_tokens: int


class DecisionUsage(WireModel):
    """The tokens one evaluation used."""

    input_tokens: int
    input_tokens_details: DecisionInputTokensDetails
    output_tokens: int
    output_tokens_details: DecisionOutputTokensDetails
    total_tokens: int


class Decision(WireModel):
    """The answers to the questions, in their order, with the model and usage."""

    model: str
    answers: list[DecisionAnswer]
    usage: DecisionUsage


__all__ = [
    "ChoiceAnswer",
    "ChoiceOption",
    "ChoiceProbability",
    "ChoiceQuestion",
    "ChoiceValue",
    "Decision",
    "DecisionAnswer",
    "DecisionInputTokensDetails",
    "DecisionOutputTokensDetails",
    "DecisionQuestion",
    "DecisionTrigger",
    "DecisionUsage",
    "DecisionsConfig",
    "DecisionsUpdate",
    "Instructions",
    "PredicateAnswer",
    "PredicateQuestion",
    "RefusalAnswer",
    "ScoreAnswer",
    "ScoreLevel",
    "ScoreProbability",
    "ScoreQuestion",
    "TranscriptEventType",
    "TriggerDecisions",
]
