"""``Reconnect`` and the journal take whole numbers for attempts and bounds (docs: "Reconnect
and the journal take whole numbers"): a whole number is not refused for its type. The check
``type(n) is int`` refuses numpy's integers (a bound read from a data frame or an array
config) and any ``int`` subclass (an ``IntEnum`` of presets), saying they "must be whole
numbers", which they are, while ``bool`` alone is what must stay out."""

from __future__ import annotations

import enum

import pytest

from rtagents import Reconnect
from rtagents.session.journal import Journal


class Budget(enum.IntEnum):
    SMALL = 4_000
    LARGE = 32_000


def test_an_int_subclass_is_taken() -> None:
    assert Reconnect(max_tokens=Budget.SMALL, attempts=Budget.SMALL).max_tokens == 4_000


@pytest.mark.parametrize("field", ["attempts", "max_items", "max_tokens"])
def test_numpy_integers_are_taken(field: str) -> None:
    np = pytest.importorskip("numpy")  # (not a dependency: where it is installed)
    Reconnect(**{field: np.int64(300)})
    Journal(max_items=np.int64(10), max_tokens=np.int32(100))


@pytest.mark.parametrize("given", [{"attempts": True}, {"max_items": True}, {"max_tokens": 1.5}])
def test_bools_and_fractions_are_still_refused(given: dict) -> None:
    with pytest.raises(ValueError):
        Reconnect(**given)
