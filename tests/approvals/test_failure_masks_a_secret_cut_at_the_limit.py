"""A reason made of an exception's message (``approvals.verdict.failure``: a handler, a
predicate, a guardrail that raised) has a secret it quotes masked, also one that the cut at
``limit`` runs through: masked, then cut. Before, the message was cut first and masked after:
a known secret across the cut was no longer whole, and its first part was shown."""

from __future__ import annotations

from rtagents._redact import hold_secrets
from rtagents.approvals.verdict import failure
from rtagents.errors import root_cause

SECRET = "callertoken0123456789abcdefghijklmnopqrstuvwxyz"


class _Holder:
    """Holds the secret for this test only (let go when it is freed)."""


def test_a_secret_cut_by_the_limit_is_still_masked() -> None:
    holder = _Holder()
    hold_secrets(holder, [SECRET])
    exc = RuntimeError("x" * 180 + f" token={SECRET} refused")
    reason = failure(exc, 200)
    assert "callertoke" not in reason, reason
    assert reason.startswith("RuntimeError: " + "x" * 180) and reason.endswith("...")
    assert len(reason) <= len("RuntimeError: ") + 200
    del holder


def test_a_long_secret_past_any_first_cut_is_still_masked() -> None:
    holder = _Holder()
    long_secret = "callertoken" + "L" * 300  # (past root_cause's own default cut of 300)
    hold_secrets(holder, [long_secret])
    reason = failure(RuntimeError("y" * 100 + " key=" + long_secret), 200)
    assert "callertoken" not in reason, reason
    del holder


def test_without_a_secret_the_reason_is_cut_as_root_cause_cuts() -> None:
    for message in ("short", "y" * 500, ""):
        exc = ValueError(message)
        assert failure(exc, 200) == root_cause(exc, 200)
