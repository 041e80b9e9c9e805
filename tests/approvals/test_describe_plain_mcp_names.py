"""``shown_name`` (rtagents/_json.py): a tool's name or a server's label is shown "as it is
when it is a plain name, else quoted (control characters, a terminal's escape codes)";
CHANGELOG: "a name that is not plain is quoted".

Its "plain" is ``[A-Za-z0-9_.-]+``, narrower than the names MCP itself defines: SEP-986
(final) allows a forward slash in tool names (its own example, ``user-profile/update``), and
names in letters outside ASCII have no control character in them. Such an ordinary name is
shown as a Python string literal in the very prompt a person approves
(``'user-profile/update'(id=7)``, ``'météo'(ville='Paris')``): a plain name presented as
something odd. Quoting only what is not printable (``str.isprintable``) keeps the
protection without this.
"""

from __future__ import annotations

import pytest

from rtagents.approvals import ApprovalRequest


@pytest.mark.parametrize(
    ("label", "name", "arguments", "shown"),
    [
        ("crm", "user-profile/update", '{"id": 7}', "crm.user-profile/update(id=7)"),
        ("meteo", "météo", '{"ville": "Paris"}', "meteo.météo(ville='Paris')"),
    ],
)
def test_a_plain_mcp_tool_name_is_shown_as_it_is(
    label: str, name: str, arguments: str, shown: str
) -> None:
    request = ApprovalRequest.for_hosted(
        "mcpr_1", label, name, arguments, read_only=None, agent=None
    )
    assert request.describe() == shown


def test_a_name_with_control_characters_is_still_quoted() -> None:
    request = ApprovalRequest.for_hosted(
        "mcpr_2", "docs", "x\r\x1b[2K", "{}", read_only=None, agent=None
    )
    assert "\r" not in request.describe() and "\x1b" not in request.describe()
