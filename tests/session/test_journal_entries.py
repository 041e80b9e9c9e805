"""A call's and an output's journal entries are written without making their items
(``journal_items.call_entry``, ``output_entry``): they must be exactly what packing the
items gives, for any text a frame can carry, or ``session.history`` and a replay would
differ from what was said."""

from __future__ import annotations

import pytest

from rtagents import protocol as p
from rtagents.protocol.packing import pack, unpack
from rtagents.session.journal import Journal
from rtagents.session.journal_accounts import Accounts
from rtagents.session.journal_items import (
    call_entry,
    call_item_id,
    decode_entry,
    kept_output,
    kind_of,
    output_entry,
    tokens_of,
)

TEXTS = [
    "",
    "{}",
    '{"city": "Paris", "n": [1, 2]}',
    'quote " backslash \\ slash / tab \t newline \n nul \x00 del \x7f',
    "Zürich, 東京, emoji 😀",
    "lone \ud800 surrogate",
    "x" * 5000,
]


def _entry_of(item: p.FunctionCall | p.FunctionCallOutput, ours: bool) -> tuple[object, ...]:
    kind, ref = kind_of(item)
    cls, text = pack(item)
    return (kind, cls, text, tokens_of(item, text), 1 if ours else 0, ref)


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("item_id", [None, "item_9"])
def test_a_calls_entry_is_its_items_packing(text: str, item_id: str | None) -> None:
    call_id = "call_" + text[:20]
    item = p.FunctionCall(
        id=item_id or call_item_id(call_id), call_id=call_id, name="t" + text[:8], arguments=text
    )
    kept_id, entry = call_entry(call_id, "t" + text[:8], text, item_id)
    assert (kept_id, entry) == (item.id, _entry_of(item, ours=False))
    again = decode_entry(kept_id, entry)
    assert again == unpack(*pack(item))
    assert again.model_fields_set == unpack(*pack(item)).model_fields_set


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("item_id", [None, "out_given"])
def test_an_outputs_entry_is_its_items_packing(text: str, item_id: str | None) -> None:
    call_id = "call_" + text[:20]
    item = kept_output(call_id, text, item_id)
    kept_id, entry = output_entry(call_id, text, item_id)
    assert (kept_id, entry) == (item.id, _entry_of(item, ours=True))
    assert decode_entry(kept_id, entry) == unpack(*pack(item))


def test_a_call_and_its_output_written_directly_are_what_their_items_give() -> None:
    """The whole accounts agree: the same items, tokens and flags (the output is ours: given
    back after a drop the server did not confirm), and the same trims, whichever way each
    was written."""
    direct, made = Journal(max_items=3), Journal(max_items=3)
    for n in range(5):
        call_id = f"call_{n}"
        direct.called(call_id, "lookup", f'{{"n": {n}}}', None)
        direct.output_sent(call_id, "ok " * n)
        Accounts.heard(
            made,
            p.FunctionCall(
                id=call_item_id(call_id), call_id=call_id, name="lookup", arguments=f'{{"n": {n}}}'
            ),
        )
        Accounts.sent(made, kept_output(call_id, "ok " * n))
    assert direct.items() == made.items()
    assert direct.replay(sideband=True) == made.replay(sideband=True)  # (ours, unconfirmed)
    assert direct._settled() == made._settled()  # the same entries: tokens, flags, refs
    assert direct.dropped == made.dropped > 0
