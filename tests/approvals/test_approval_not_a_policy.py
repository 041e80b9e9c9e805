"""Stay alive / clear errors: bad input of any kind gets a clear error. ``Agent`` checks its
other settings with messages that say what it takes (``tools takes a list``, ``handoffs
takes agents ...``), but ``approval=`` is never checked: the common slip of passing the
handler itself (``approval=ask_human``, as DESIGN.md's ``ApprovalPolicy(handler=ask_human)``
spells it) fails with ``AttributeError: 'function' object has no attribute 'rules'`` from
``Agent._warn_unasked``, and an object that happens to have a ``rules`` attribute is taken
as a policy."""

from __future__ import annotations

import pytest

import rtagents


def ask_human(request: rtagents.ApprovalRequest) -> bool:
    return True


@pytest.mark.parametrize(
    "approval", [ask_human, True, {"rules": []}], ids=["handler", "bool", "dict"]
)
def test_an_approval_that_is_not_a_policy_is_a_clear_type_error(approval: object) -> None:
    with pytest.raises(TypeError, match="ApprovalPolicy"):
        rtagents.Agent(name="bank", approval=approval)  # type: ignore[arg-type]
