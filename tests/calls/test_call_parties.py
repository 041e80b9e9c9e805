"""Who calls and who is called: the From and To headers of a call, parsed into a number, a
user, a host and a display name, the raw header kept. A router reads ``call.caller.number``;
the header is untrusted input, so parsing never raises, whatever it holds."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rtagents
from rtagents.calls import CallParty, CallServer, IncomingCall, Reject
from rtagents.emulator import Emulator
from rtagents.testing import serve_asgi

from .harness import SECRET


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "<sip:+15550666@example.com>",
            {"number": "+15550666", "user": "+15550666", "host": "example.com"},
        ),
        (
            '"Ann Smith" <sip:+15551234@pbx.example.com:5060;user=phone>;tag=abc',
            {
                "display_name": "Ann Smith",
                "number": "+15551234",
                "host": "pbx.example.com",
                "params": {"user": "phone", "tag": "abc"},
            },
        ),
        ("sip:alice@example.com", {"user": "alice", "host": "example.com", "number": None}),
        ("sips:bob:hunter2@example.com", {"user": "bob", "host": "example.com"}),
        ("tel:+1-555-0100;phone-context=example.com", {"number": "+15550100", "host": None}),
        ("+15550100", {"number": "+15550100", "scheme": None}),  # a Twilio ``From``
        ('"Quote \\" in name" <sip:9@h>', {"display_name": 'Quote " in name', "number": "9"}),
        ("Anonymous <sip:anonymous@anonymous.invalid>", {"display_name": "Anonymous"}),
        ("<sip:%2B15550100@h>", {"number": "+15550100"}),
    ],
)
def test_sip_headers_are_parsed(header: str, expected: dict[str, Any]) -> None:
    party = CallParty.parse(header)
    assert party.raw == header and str(party) == header
    assert {key: getattr(party, key) for key in expected} == expected


@pytest.mark.parametrize("garbage", ["", "<", "sip:", "<sip:@>", '"unterminated <sip:a@b', "\x00"])
def test_garbage_is_kept_raw_with_no_fields(garbage: str) -> None:
    party = CallParty.parse(garbage)
    assert party.raw == garbage
    assert party.number is None and party.host is None


def test_a_password_in_the_uri_is_never_shown() -> None:
    party = CallParty.parse("<sip:bob:hunter2@example.com>")
    assert party.user == "bob" and "hunter2" not in repr(party).replace(party.raw, "")


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.builds(
            lambda name, scheme, user, host, tail: f'"{name}" <{scheme}:{user}@{host}>{tail}',
            st.text(),
            st.sampled_from(["sip", "sips", "tel", "SIP", "x"]),
            st.text(),
            st.text(),
            st.text(),
        ),
    )
)
def test_parsing_never_raises(header: str) -> None:
    party = CallParty.parse(header)
    assert party.raw == header
    assert party.number is None or party.number.lstrip("+").isdigit()


def test_the_caller_and_callee_of_an_incoming_call() -> None:
    sip = IncomingCall(
        "rtc_1", {"From": '"Ann" <sip:+15550666@example.com>;tag=1', "To": "<sip:+1555@openai>"}
    )
    assert sip.caller.number == "+15550666" and sip.callee.number == "+1555"
    assert sip.caller.raw == '"Ann" <sip:+15550666@example.com>;tag=1'
    compact = IncomingCall("rtc_2", {"f": "<sip:+15550100@h>", "TO": "sip:bob@h"})
    assert compact.caller.number == "+15550100" and compact.callee.user == "bob"
    twilio = IncomingCall("CA1", parameters={"From": "+15550100"}, source="twilio")
    assert twilio.caller.number == "+15550100" and twilio.callee.raw == ""


@pytest.mark.anyio
async def test_a_router_blocks_a_number_by_its_ending() -> None:
    """The issue's router: ``endswith("666")`` on the raw header never matched."""
    seen: list[IncomingCall] = []

    def route(call: IncomingCall) -> rtagents.Agent | Reject:
        seen.append(call)
        if call.caller.number and call.caller.number.endswith("666"):
            return Reject(status_code=486, reason="blocked number")
        return rtagents.Agent(name="a")

    async with Emulator() as emu:
        app = CallServer(route=route, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url, httpx2.AsyncClient() as http:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, caller="+15550666")
            with anyio.fail_after(10):
                while emu.desk.calls[call_id].status != "rejected":
                    await anyio.sleep(0.02)
            record = (await http.get(f"{emu.http_url}/emulator/calls/{call_id}")).json()
    assert record["sip_status"] == 486
    assert app.calls[call_id].state == "rejected"
    caller = app.calls[call_id].caller
    assert caller is not None and caller.number == "+15550666"
    # The emulator sends headers as a carrier does: a tag on From, the number as the user.
    assert seen[0].caller.params.get("tag") and seen[0].caller.host
    assert seen[0].callee.number == "+15550199"
