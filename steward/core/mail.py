"""Outgoing email: sent once the change it reports is committed, with an absolute link to the
record, and never at the cost of the change.

Services call `send_after_commit` (one email) or `send_batch_after_commit` (many, over one
connection) inside their transaction. Each email is written to the outbox
(`steward.core.models.OutboundEmail`) in that transaction, and a `transaction.on_commit`
callback sends it:

- **Every email is kept, not only failures.** The outbox row is written with the change, so a
  rolled-back change leaves neither row nor email; a process that stops between the commit and
  the send leaves the row pending, not lost (`steward mail retry` sends pending rows older than
  `STALE_AFTER`); and an administrator can see what was sent to whom (Django admin, "Outbound
  emails"). The cost is one insert per email (one per batch) and one update after sending.
- **Sent in the background.** After the commit the sending is a task
  (`steward.core.tasks.deliver_mail`, on Django's Tasks API): a worker sends it, so that a
  slow mail server never holds a request (the tests' immediate backend sends at once).
- **A failed send is not an error page.** The exception is caught and logged (logger
  ``steward.mail``), and the row is marked ``failed`` with the error, for `steward mail retry`.
- **Links are absolute**: `absolute_url` puts ``settings.STEWARD_SITE_URL`` in front of a path
  from ``reverse()``; an email that names a record ends with a link to the page where the
  recipient acts on it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from steward.core.models import OutboundEmail, OutboundEmailStatus

logger = logging.getLogger("steward.mail")

#: A pending email older than this was never sent (the process stopped after the commit).
STALE_AFTER = timedelta(minutes=15)
LINK_LABEL = "Open it in Steward"


def absolute_url(path: str) -> str:
    """`path` (``/monitoring/12/``, as ``reverse()`` gives it) as an address people can open:
    ``settings.STEWARD_SITE_URL`` + `path`. An address that already has a scheme is returned
    unchanged."""
    if "://" in path:
        return path
    return settings.STEWARD_SITE_URL.rstrip("/") + "/" + path.lstrip("/")


@dataclass(frozen=True)
class Mail:
    """One email: `link` is the path (or address) of the record's page, added to the body."""

    subject: str
    body: str
    to: Sequence[str]
    link: str = ""

    def text(self) -> str:
        """The body as sent: the text, then a line with the absolute link when there is one."""
        if not self.link:
            return self.body
        return f"{self.body.rstrip()}\n\n{LINK_LABEL}: {absolute_url(self.link)}\n"


def send_after_commit(
    *, subject: str, body: str, to: Sequence[str], link: str = ""
) -> OutboundEmail | None:
    """Queue one email to `to`, sent when the current transaction commits (at once outside a
    transaction). Returns its outbox row, or None when `to` is empty (nothing is queued).

    Side effects: an OutboundEmail row now; after the commit, the email sent and the row
    marked sent, or failed and logged (never an exception to the caller)."""
    rows = send_batch_after_commit([Mail(subject=subject, body=body, to=to, link=link)])
    return rows[0] if rows else None


def send_batch_after_commit(mails: Iterable[Mail]) -> list[OutboundEmail]:
    """Queue `mails` (those without recipients are skipped), sent over one connection when the
    current transaction commits. Returns the outbox rows, in order (one insert for all).

    Side effects: as `send_after_commit`; one failed email does not stop the others."""
    rows = [
        OutboundEmail(
            subject=" ".join(mail.subject.split()),  # a line break in a header is refused
            body=mail.text(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipients=list(mail.to),
        )
        for mail in mails
        if mail.to
    ]
    if not rows:
        return []
    rows = OutboundEmail.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _queue_delivery(ids), robust=True)
    return rows


def _queue_delivery(ids: list[int]) -> None:
    """Hand the sending to a background task (`steward.core.tasks.deliver_mail`), so that a
    slow mail server never holds a request; if the queue cannot be reached the emails stay
    pending, and `steward mail retry` (run by `steward daily`) sends them."""
    from steward.core.tasks import deliver_mail

    try:
        deliver_mail.enqueue(ids)
    except Exception:
        logger.exception("Could not queue %d email(s); they stay pending for a retry", len(ids))


@dataclass(frozen=True)
class Delivery:
    """What one delivery run did: how many emails were sent and how many failed."""

    sent: int
    failed: int


def deliver(ids: Iterable[int]) -> Delivery:
    """Send the outbox emails `ids` that are not sent yet, over one connection, and mark each
    sent or failed. Returns the counts. Never raises for a failed send: it is logged (logger
    ``steward.mail``) and kept on the row (`last_error`, `attempts`) for a retry."""
    rows = list(
        OutboundEmail.objects.filter(pk__in=list(ids))
        .exclude(status=OutboundEmailStatus.SENT)
        .order_by("pk")
    )
    if not rows:
        return Delivery(sent=0, failed=0)
    sent: list[int] = []
    failed: list[tuple[OutboundEmail, str]] = []
    try:
        connection = get_connection()
        connection.open()  # one connection for the whole batch (send_messages keeps it open)
    except Exception as exc:
        logger.exception("Could not connect to send %d email(s)", len(rows))
        failed = [(row, _error(exc)) for row in rows]
    else:
        try:
            for row in rows:
                message = EmailMessage(
                    row.subject, row.body, row.from_email, row.recipients, connection=connection
                )
                try:
                    if not connection.send_messages([message]):
                        raise RuntimeError("the email backend sent nothing")
                except Exception as exc:
                    logger.exception(
                        "Could not send email %s (%r) to %s", row.pk, row.subject, row.recipients
                    )
                    failed.append((row, _error(exc)))
                else:
                    sent.append(row.pk)
        finally:
            try:
                connection.close()
            except Exception:
                logger.exception("Could not close the email connection")
    _record(sent, failed)
    return Delivery(sent=len(sent), failed=len(failed))


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _record(sent: list[int], failed: list[tuple[OutboundEmail, str]]) -> None:
    now = timezone.now()
    if sent:
        OutboundEmail.objects.filter(pk__in=sent).update(
            status=OutboundEmailStatus.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            last_error="",
            updated_at=now,
        )
    for row, error in failed:
        OutboundEmail.objects.filter(pk=row.pk).update(
            status=OutboundEmailStatus.FAILED,
            attempts=F("attempts") + 1,
            last_error=error,
            updated_at=now,
        )


def retry(*, now: datetime | None = None) -> Delivery:
    """Send again every failed email, and every pending one older than STALE_AFTER (its
    process stopped before sending), oldest first over one connection. Returns the counts;
    side effects as `deliver`."""
    now = now or timezone.now()
    ids = OutboundEmail.objects.filter(
        Q(status=OutboundEmailStatus.FAILED)
        | Q(status=OutboundEmailStatus.PENDING, created_at__lt=now - STALE_AFTER)
    ).values_list("pk", flat=True)
    return deliver(list(ids))


# ---------------------------------------------------------------- the outgoing mail page

ADMINISTRATOR = "administrator"  # parties.models.Role.ADMINISTRATOR (core sits below parties)


def _require_administrator(actor: object) -> None:
    from steward.core.errors import PermissionDeniedError

    if getattr(actor, "role", "") != ADMINISTRATOR:
        raise PermissionDeniedError("Only administrators see the outgoing mail.")


def undelivered(*, actor: object, now: datetime | None = None, limit: int = 200) -> list[Any]:
    """The emails that could not be sent (failed, or pending for longer than STALE_AFTER),
    oldest first, for the administrators' Outgoing mail page."""
    _require_administrator(actor)
    now = now or timezone.now()
    return list(
        OutboundEmail.objects.filter(
            Q(status=OutboundEmailStatus.FAILED)
            | Q(status=OutboundEmailStatus.PENDING, created_at__lt=now - STALE_AFTER)
        ).order_by("created_at", "pk")[:limit]
    )


def email_get(*, actor: object, pk: int) -> OutboundEmail:
    from steward.core.errors import NotFoundError

    _require_administrator(actor)
    email = OutboundEmail.objects.filter(pk=pk).first()
    if email is None:
        raise NotFoundError("No such email.")
    return email


def email_send_again(*, actor: object, email: OutboundEmail) -> OutboundEmail:
    """Send again an email that could not be sent (an administrator, from the Outgoing mail
    page), through the same task as every email. Returns the row as it is after the attempt
    (still pending when a worker sends it later)."""
    from steward.core.errors import TransitionNotAllowed

    _require_administrator(actor)
    if email.status == OutboundEmailStatus.SENT:
        raise TransitionNotAllowed("This email was already sent.")
    _queue_delivery([email.pk])
    email.refresh_from_db()
    return email
