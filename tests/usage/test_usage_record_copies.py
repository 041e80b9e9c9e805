"""A ``UsageRecord`` is what an app keeps to bill (docs/usage.md: "Records add and never
change once made, so the usage of many sessions or calls is their sum"): the usage of calls
run in several processes (uvicorn workers, replicas) has to travel to be summed, and a
record kept for later is copied or exported. A record holds its maps as
``types.MappingProxyType``, which cannot be pickled nor deep-copied: ``pickle.dumps``,
``copy.deepcopy`` and ``dataclasses.asdict`` of any record with usage raise ``TypeError``
(as does ``copy.deepcopy`` of a ``CallRecord`` holding one)."""

from __future__ import annotations

import copy
import dataclasses
import pickle

from rtagents import Tokens, UsageRecord

USAGE = UsageRecord(
    {"gpt-realtime": Tokens(text_input=1000, cached_text_input=400, audio_output=500)},
    seconds={"whisper-1": 90.0},
    responses=2,
)


def test_a_usage_record_pickles() -> None:
    assert pickle.loads(pickle.dumps(USAGE)) == USAGE


def test_a_usage_record_deep_copies() -> None:
    assert copy.deepcopy(USAGE) == USAGE


def test_a_usage_record_exports_as_a_dict() -> None:
    exported = dataclasses.asdict(USAGE)
    assert exported["seconds"] == {"whisper-1": 90.0}
    assert exported["models"]["gpt-realtime"]["audio_output"] == 500
