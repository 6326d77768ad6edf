"""The API's one pagination: limit/offset, both bounded (docs/security.md §8).

ninja's own LimitOffsetPagination accepts any offset, and an offset past what the database's
integers hold (`offset=10**20`) is a server error on PostgreSQL (bigint out of range). Here an
offset above `MAX_OFFSET` is a 422 naming the parameter, like any other invalid input."""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja import pagination as ninja_pagination

#: Far beyond any list Steward keeps, far below 2**63.
MAX_OFFSET = 1_000_000_000


class LimitOffsetPagination(ninja_pagination.LimitOffsetPagination):
    """`limit` (1 to NINJA_PAGINATION_MAX_LIMIT) and `offset` (0 to MAX_OFFSET)."""

    class Input(Schema):
        limit: int = Field(
            getattr(settings, "NINJA_PAGINATION_PER_PAGE", 50),
            ge=1,
            le=getattr(settings, "NINJA_PAGINATION_MAX_LIMIT", 500),
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
