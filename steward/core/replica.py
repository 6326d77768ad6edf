"""Reports and exports read from a read replica when one is configured (issue: scale).

`STEWARD_DATABASE_REPLICA_URL` adds a database alias named ``replica``. Nothing reads from it
unless the code asks: a report or an export runs inside :func:`replica_reads` (or a view
decorated with :func:`reads_from_replica`), and only then does :class:`ReplicaRouter` send its
reads there. Writes always go to the primary, whatever the flag says, so an audit row or a
personal-data read logged while a report runs lands on the primary. Without a replica alias
every read stays on the primary and nothing changes.

A replica lags the primary by its replication delay (usually well under a second): that is why
only reports and exports, never the pages people edit from, read from it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings

REPLICA = "replica"
PRIMARY = "default"

_reading_from_replica: ContextVar[bool] = ContextVar("steward_replica_reads", default=False)

F = TypeVar("F", bound=Callable[..., Any])


def replica_configured() -> bool:
    """True when settings name a replica database."""
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads go to the replica (if configured); writes stay on the primary."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def reads_from_replica(view: F) -> F:
    """Decorate a report or export view (page or API): its GET and HEAD requests read from the
    replica. Other methods (a POST that creates a report, say) read from the primary."""

    @functools.wraps(view)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(request, "method", "GET") not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads():
            response = view(request, *args, **kwargs)
        if getattr(response, "streaming", False):
            # A streamed export reads its rows after the view returns, as each line is sent.
            response.streaming_content = _each_from_replica(iter(response.streaming_content))
        return response

    return wrapper  # type: ignore[return-value]


def _each_from_replica(rows: Iterator[Any]) -> Iterator[Any]:
    """Yield what `rows` yields, each item read with replica reads on (and off in between, so
    whatever else runs on this thread between two lines reads from the primary)."""
    while True:
        with replica_reads():
            try:
                item = next(rows)
            except StopIteration:
                return
        yield item


class ReplicaRouter:
    """Reads inside `replica_reads` go to the replica; every write goes to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _reading_from_replica.get() and replica_configured():
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary: an object read from one may relate
        # to an object read from the other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica receives its schema by replication, never by `migrate`.
        return db == PRIMARY
