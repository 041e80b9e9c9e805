"""numpydoc lets parameters of one type share an entry (``x1, x2 : array_like``: the
numpydoc format guide shows it, and numpy's own docstrings use it). The tool reads the entry
as one parameter named ``"lat, lon"``: neither parameter gets the description, and a
warning says the docstring describes a parameter the tool lacks ("a typo?"), which it does
not. docs/tools.md promises the ``Parameters`` section (NumPy) describes the parameters.

Fault: ``_docstrings._parse`` (split a NumPy entry's ``arg_name`` on commas)."""

from __future__ import annotations

import warnings

import rtagents


def test_a_shared_numpy_entry_describes_each_parameter() -> None:
    def distance(lat: float, lon: float) -> float:
        """Distance from the office.

        Parameters
        ----------
        lat, lon : float
            The point's coordinates, in degrees.
        """
        return lat + lon

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        made = rtagents.tool(distance)
    props = made.parameters["properties"]
    assert props["lat"].get("description") == "The point's coordinates, in degrees.", (
        props,
        [str(w.message) for w in caught],
    )
    assert props["lon"].get("description") == "The point's coordinates, in degrees."
    # Only what the tool said: a ResourceWarning of another test's garbage, collected
    # meanwhile, is not this tool's.
    said = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert not said, said
