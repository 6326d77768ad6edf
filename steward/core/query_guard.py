"""A person may not filter, sort or search on what they may not read (issue 19 point 1).

The rule, the same on the API and on the pages: a filter, sort or search parameter that reads a
field hidden from the caller is refused with 403 and a message naming the parameter (API code
`filter_not_allowed`); it is never silently applied, which would let the count of results reveal
the hidden value, and never silently ignored, which would hide the refusal. Each area says which
of its parameters read hidden fields for whom (e.g. `steward.risk.selectors.
concern_filters_hidden_from`); docs/security.md lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from steward.core.errors import PermissionDeniedError


class FilterNotAllowed(PermissionDeniedError):
    """A filter, sort or search on a field hidden from the caller."""

    code = "filter_not_allowed"


def refuse_hidden_filters(given: Mapping[str, Any], hidden: Iterable[str]) -> None:
    """Raise FilterNotAllowed naming the first parameter of `hidden` that `given` sets (to
    anything but None or ""); return None when none is set. No side effects."""
    for name in sorted(hidden):
        value = given.get(name)
        if value is not None and value != "":
            raise FilterNotAllowed(
                f"{name}: you may not filter, sort or search on '{name}', which is not shown "
                "to you.",
                errors={name: ["Not shown to you, so it cannot be filtered on."]},
            )
