"""A page paginator that stops counting past a cap: for searches that match many rows.

Counting every match of a text search costs as much as the search itself (PostgreSQL rechecks
each row the trigram index proposes); a person reading the first pages needs to know only that
there are "more than 1,000". `CappedPaginator` counts at most `cap` rows (or, further on, a page
beyond the one asked for), so Next keeps working on any page while the count stays bounded.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` rows, or at one page past `page_hint` when that
    is further: `capped` is True when more rows exist than were counted, and then
    `num_pages` is the last page counted (the page after the one asked for, at least)."""

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        cap: int,
        page_hint: Any = 1,
        narrow: bool = False,
    ) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.narrow = narrow
        try:
            page = max(1, int(page_hint))
        except (TypeError, ValueError):
            page = 1
        # count as far as the page after the one asked for, and never less than the cap
        self.limit = max(cap, (page + 1) * per_page)
        self.capped = False

    @cached_property
    def count(self) -> int:
        """The rows, counted up to `limit` + 1 (one query: COUNT over a LIMITed subquery,
        without the ordering, which a count does not need)."""
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        if self.narrow and connection.vendor == "postgresql":
            return self._count_and_narrow(rows)
        counted = rows.order_by()[: self.limit + 1].count()
        if counted > self.limit:
            self.capped = True
            return self.limit
        return counted

    def _count_and_narrow(self, rows: QuerySet[Any]) -> int:
        """Count by reading the matching ids (up to `limit` + 1); when they are all counted, the
        pages are read by those ids. A rare match (one contract's number) then costs one index
        lookup, where PostgreSQL, estimating hundreds of matches, would walk the whole register
        in its sort order looking for 50 of them: 1.3 s at 1,000,000 contracts
        (docs/performance.md). Many matches keep the query as it was: walking the sort order
        finds 50 of them at once."""
        ids = list(rows.order_by().values_list("pk", flat=True)[: self.limit + 1])
        if len(ids) > self.limit:
            self.capped = True
            return self.limit
        self.object_list = rows.filter(pk__in=ids)
        return len(ids)
