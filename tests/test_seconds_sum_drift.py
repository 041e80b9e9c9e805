"""docs/usage.md: records add ("the usage of many sessions or calls is their sum") and the
cost is a ``Decimal`` so that "sums of money stay exact (no ``0.1 + 0.2`` drift across
thousands of calls)". But the seconds billed by duration (``whisper-1``'s transcriptions,
GPT-Live's) are summed as floats, and the sum is priced through its float text: two
transcriptions of 0.1 s and 0.2 s cost ``0.006 x 0.30000000000000004 / 60``, not the
0.00003 that each one's cost adds up to."""

from __future__ import annotations

from decimal import Decimal

from rtagents import Prices, UsageRecord

PRICES = {"whisper-1": Prices(per_minute="0.006")}


def test_the_cost_of_summed_seconds_is_the_sum_of_their_costs() -> None:
    a = UsageRecord(seconds={"whisper-1": 0.1})
    b = UsageRecord(seconds={"whisper-1": 0.2})
    each = a.cost(PRICES) + b.cost(PRICES)
    assert each == Decimal("0.00003")
    assert (a + b).cost(PRICES) == each
