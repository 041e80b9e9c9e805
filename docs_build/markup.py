"""mkdocs hooks: the build fails on what would show a reader raw markup."""

from __future__ import annotations

import re
from typing import Any

from mkdocs.exceptions import PluginError

# A Sphinx role (:class:`X`) is markup mkdocstrings, set to Google style, prints as it is.
ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj|ref):`")


def on_page_content(html: str, page: Any, **_: Any) -> str:
    found = ROLE.findall(html)
    if found:
        raise PluginError(
            f"{page.file.src_path}: {len(found)} unrendered Sphinx role(s) such as {found[0]!r}"
        )
    if "\\|" in html:
        raise PluginError(
            f"{page.file.src_path}: a literal '\\|' (write <code>X &#124; None</code>)"
        )
    return html
