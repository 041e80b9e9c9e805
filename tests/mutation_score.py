"""The score of ``make mutate``: mutmut's results per package, and its one rule.

The rule: no mutant of ``rtagents/approvals/`` survives. Each is killed by a test, or listed
in ``EQUIVALENT`` with the reason no test can tell it from the original. The orchestration
core's survivors are reported, not failed on. Run from the repository root after
``mutmut run``; exits 1 when an approvals mutant survives that is not listed.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict

STRICT = "rtagents.approvals"

# Mutants no behaviour can tell from the original, by mutmut's name (function + number: a
# change to that function renumbers them, and the run then lists them again to judge).
_BROKER = "rtagents.approvals.broker.x\u01c1ApprovalBroker\u01c1"
_ONCE = "verdict() reads any remember but 'session' as 'once', so this default cannot matter"
_FALLBACK = (
    "the fallback of `pending.decision or ...` once the request is answered (after "
    "`pending.answer(...)`, or `_ask`'s wait, which ends only once it is): the decision is set "
    "by then, so the fallback is never used, and what `_ask` returns is read only through it"
)
_CLOSED_CANCEL = (
    "the cancelled branch's `by` when closed: close() answers and reports every pending "
    "request at once, and a request made after it is refused without awaiting, so a "
    "cancellation never meets an unanswered request while closed (answer and report no-op)"
)
_GENERATION = (
    "the generation's start value, or a step other than +1: only whether it changed since a "
    "decision began is read, and any step changes it"
)
_AS_A_SET = (
    "a dict used as an ordered set (only its keys are read, and the collector never tracks "
    "it): None or '' as the value cannot matter"
)

EQUIVALENT: dict[str, str] = {
    "rtagents.approvals.verdict.x_failure__mutmut_5": (
        "the whole message read before it is masked and cut: the same reason; the room past "
        "the cut only bounds the work a huge message costs"
    ),
    **{
        f"rtagents.approvals.pending.x_outside_of__mutmut_{n}": (
            "the name of the tool case: `_decide` and `rule_for` tell 'server' from anything "
            "else, so any other string reads the same"
        )
        for n in (15, 16)
    },
    f"{_BROKER}_leave_outside__mutmut_1": (
        "'and' -> 'or': answer() sets decision and outside together, and a request is left "
        "outside at most once, so the two conditions never differ"
    ),
    f"{_BROKER}resolve__mutmut_1": _ONCE,
    f"{_BROKER}resolve__mutmut_2": _ONCE,
    "rtagents.approvals.policy.x\u01c1ApprovalPolicy\u01c1ask_handler__mutmut_3": (
        "an async handler taken for a sync one only makes its coroutine in a worker thread; "
        "the loop awaits it either way"
    ),
    **{f"{_BROKER}follow__mutmut_{n}": _GENERATION for n in (7, 8)},
    **{
        f"{_BROKER}withdraw__mutmut_{n}": (
            "the count of switches stepping by -1 or +2: only whether it changed while a "
            "check ran is read, and either step changes it"
        )
        for n in (2, 3)
    },
    f"{_BROKER}authorize__mutmut_66": (
        "the default of _stopped.pop for an id it does not hold: any value but None reads "
        "the same (not stopped)"
    ),
    "rtagents.approvals.rules.x__is_async__mutmut_8": (
        "getattr's default: _is_async is asked only of a `when` that callable() accepted, "
        "whose __call__ is always found"
    ),
    f"{_BROKER}_decide__mutmut_15": (
        "the default of _stopped.pop for an id it does not hold: any value but None reads "
        "the same (not stopped)"
    ),
    **{f"{_BROKER}_cancelled__mutmut_{n}": _CLOSED_CANCEL for n in (2, 4, 5)},
    f"{_BROKER}decide__mutmut_22": _FALLBACK,
    f"{_BROKER}decide__mutmut_51": (
        "the answer given to a request decided without one (by a rule, or remembered): it "
        "has left the broker's pending by then, and what is reported is read from `final`"
    ),
    f"{_BROKER}_decide__mutmut_48": (
        "the memory looked up under None when the arguments have no exact form: nothing is "
        "ever kept under None (the store is guarded by the same test)"
    ),
    **{
        f"rtagents.approvals.request.x__exact__mutmut_{n}": (
            "the message of the TypeError that fingerprint() catches: it is never shown"
        )
        for n in (6, 7)
    },
    **{f"{_BROKER}_ask__mutmut_{n}": _FALLBACK for n in (22, 23)},
    f"{_BROKER}_ask__mutmut_19": (
        "the answer in _ask's cancelled branch: decide's cancelled branch gives the same deny "
        "as the cancellation leaves _ask, with no await between (the handler's task, not "
        "waited for, cannot answer in between)"
    ),
    f"{_BROKER}_ask__mutmut_10": (
        "'' for None as the handler's task when there is no handler: let_go of what is not "
        "a detached task does nothing, as nothing is to be let go"
    ),
    f"{_BROKER}decide__mutmut_53": (
        "`and` for `or` in `final`: the request is answered just before, so its decision is "
        "set, and it differs from `decision` only if another answer came while _decide "
        "awaited, whose one await, _ask, returns the request's decision itself"
    ),
    "rtagents.approvals.pending.x\u01c1Pending\u01c1answer__mutmut_5": (
        "`>` for `>=` at the deadline: an answer at the very instant the clock reads the "
        "deadline, which no test can time (and either reading denies a late yes a moment on)"
    ),
    f"{_BROKER}_refused__mutmut_8": (
        "the policy of a request refused before it reached a policy: _report never reads it"
    ),
    f"{_BROKER}decide__mutmut_17": (
        "the answer in decide's cancelled branch is a safeguard: _ask answers a request whose "
        "wait is cancelled before the cancellation leaves it, and _decide awaits nothing else"
    ),
    "rtagents.approvals.pending.x_outside_of__mutmut_4": (
        "looking up an empty or missing label finds nothing either way: HostedMCP refuses an "
        "empty server_label"
    ),
    **{f"{_BROKER}close__mutmut_{n}": _FALLBACK for n in range(18, 26)},
    # A missing cut given as None slices from the start, as 0 does.
    "rtagents.approvals.guarding.x\u01c1Check\u01c1text_for__mutmut_4": "text[None:] is text[0:]",
    "rtagents.approvals.guarding.x\u01c1Check\u01c1text_for__mutmut_6": "get() with no default is None: text[None:] is text[0:]",
    "rtagents.approvals.guarding.x\u01c1GuardCore\u01c1item_added__mutmut_4": _AS_A_SET,
    "rtagents.approvals.guarding.x\u01c1GuardCore\u01c1ended__mutmut_16": (
        "None for the clock of a stream begun at its end: its last check is due then, and it "
        "is gone once that check is done (a stream with no check of its kind never waits)"
    ),
    "rtagents.approvals.guarding.x\u01c1GuardCore\u01c1_begin__mutmut_8": (
        "looking a stream's response up under None: no response is kept under None"
    ),
    "rtagents.approvals.guarding.x\u01c1GuardCore\u01c1response_started__mutmut_14": _AS_A_SET,
    "rtagents.approvals.guarding.x\u01c1GuardCore\u01c1response_started__mutmut_4": (
        "None for False as the hold a trip's own response ends: the hold is only ever read "
        "for its truth (a turn stopped and not held answers False first)"
    ),
}

# What counts as caught; everything else ("survived", "no tests", "suspicious", "skipped",
# "not checked", ...) is a mutant no test caught.
_CAUGHT = {"killed", "timeout", "caught by type check"}


def _results() -> list[tuple[str, str]]:
    text = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = (line.strip().partition(": ") for line in text.splitlines() if ": " in line)
    return [(name, status) for name, _, status in rows]


def _package(name: str) -> str:
    return ".".join(name.split(".")[:2])  # rtagents.approvals, rtagents.session


def main() -> int:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    failing: list[str] = []
    for name, status in _results():
        equivalent = status not in _CAUGHT and name in EQUIVALENT
        counts[_package(name)]["equivalent" if equivalent else status] += 1
        if status not in _CAUGHT and not equivalent and _package(name) == STRICT:
            failing.append(f"{name}: {status}")
    if not counts:
        print("no mutation results: run `mutmut run` first")
        return 1
    for package, count in sorted(counts.items()):
        judged = sum(count.values()) - count["equivalent"]
        caught = sum(count[s] for s in _CAUGHT)
        detail = ", ".join(f"{n} {s}" for s, n in sorted(count.items()))
        print(
            f"{package}: {caught}/{judged} caught ({100 * caught / max(judged, 1):.1f}%): {detail}"
        )
    for line in failing:
        print(f"SURVIVED in approvals (kill it with a test, or list it as equivalent): {line}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
