"""Calls and hosted approval requests kept apart (session/started.py): a
function call whose call_id is an earlier approval request's id must be answered (as a
duplicate, with an error), once.

``Started.call`` treats any call with ``response_id is None`` as "again" (the same call
announced again) whatever was first recorded under that id, including an approval
request. On GPT-Live a delegation may carry no response id (``response_of`` is ``None``),
so such a call was still dropped: never run, never answered, and the model waited forever.
An id first seen as an approval request is never "the same call": the call is answered."""

from rtagents import protocol as p
from rtagents.session.actions import StartApproval, StartCall, ToolTraits
from rtagents.session.orchestrator import Orchestrator


def request(rid: str) -> p.McpApprovalRequest:
    return p.McpApprovalRequest(id=rid, server_label="docs", name="search", arguments="{}")


def test_call_without_response_id_reusing_a_request_id_is_answered() -> None:
    o = Orchestrator(lambda name, rid: ToolTraits(), "e")
    assert [type(d) for d in o.approval_arrived(request("x1"), "resp_1")] == [StartApproval]
    decided = o.call_arrived("x1", "lookup", '{"q": "a"}', None, "item_9")
    assert [type(d) for d in decided] == [StartCall], decided
