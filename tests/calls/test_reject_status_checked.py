"""A router's ``Reject`` says its SIP status when it is made: a final refusal is 400 to 699.
Before, any value was taken, said wrong only when the API refused the reject request, as
the call was being refused."""

from __future__ import annotations

import pytest

from rtagents.calls import Reject


@pytest.mark.parametrize("code", [200, 399, 700, True, "486", 486.0])
def test_a_status_that_is_no_sip_refusal_is_refused(code: object) -> None:
    with pytest.raises(ValueError, match="status_code"):
        Reject(status_code=code)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", [400, 486, 603, 699])
def test_a_sip_refusal_is_taken(code: int) -> None:
    assert Reject(status_code=code).status_code == code
