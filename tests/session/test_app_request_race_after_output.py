"""The app's ``create_response(...)`` loses the race with a server-VAD response, as in
tests/session/test_app_request_lost_race.py, but the busy refusal reaches us after that
response's first output item is done (a short item, a function call, a slow uplink).
The racing response is taken as the app's answer (ANSWERING), its output moves the ask to
NONE, and the late BUSY is applied to NONE (NONE+BUSY -> NONE): the app's request, with its
instructions, is silently dropped - the very loss the change set out to fix.

Right behaviour: a busy refusal naming the app's request means that request was never
answered, whatever the server's own response did meanwhile: it goes again once the
conversation is free."""

from rtagents.session.actions import AskResponse, ToolTraits
from rtagents.session.orchestrator import Orchestrator

BUSY = "conversation_already_has_active_response"


def test_late_busy_refusal_after_the_racing_responses_output() -> None:
    o = Orchestrator(lambda name, rid: ToolTraits(), "e")
    params = {"instructions": "Say goodbye."}
    [ask] = o.app_asked(params)
    o.response_started("r_vad", in_conversation=True)  # the server's own, started first
    o.item_done("r_vad", answers=True)  # its first item is done before our refusal arrives
    o.refused(ask.ref, message="busy", code=BUSY)  # ours, refused as busy
    again = [d for d in o.response_ended("r_vad") if isinstance(d, AskResponse)]
    assert [a.params for a in again] == [params]
