"""Outgoing email (steward.core.mail): after the commit, with an absolute link, and a failed
send that neither undoes the change nor shows an error, kept for `steward mail retry`."""

from __future__ import annotations

import io
import logging
import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steward.core import mail
from steward.core.models import OutboundEmail, OutboundEmailStatus
from steward.monitoring.models import Cycle
from steward.monitoring.tests.factories import walk
from steward.parties.models import Agency, Role
from steward.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SITE = "https://steward.example.gov"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("451 try again later")


FAILING = f"{__name__}.FailingBackend"


@pytest.fixture
def provider_user(make_user):
    return make_user(Role.PROVIDER_USER, username="provider", email="contracts@provider.example")


@pytest.fixture
def live(contract, manager):
    contract.contract_manager = manager
    contract.save()
    return contract


# ---------------------------------------------------------------- links


@pytest.mark.parametrize("site", [SITE, SITE + "/"])
def test_absolute_url_puts_the_site_address_in_front_of_the_path(settings, site):
    settings.STEWARD_SITE_URL = site
    assert mail.absolute_url("/monitoring/12/") == f"{SITE}/monitoring/12/"
    assert mail.absolute_url("monitoring/12/") == f"{SITE}/monitoring/12/"
    assert mail.absolute_url("http://elsewhere.example/x") == "http://elsewhere.example/x"


def test_the_link_ends_the_body(settings):
    settings.STEWARD_SITE_URL = SITE
    message = mail.Mail(subject="s", body="Please look.\n", to=["a@x.test"], link="/x/1/")
    assert message.text() == f"Please look.\n\nOpen it in Steward: {SITE}/x/1/\n"
    assert mail.Mail(subject="s", body="b", to=["a@x.test"]).text() == "b"


# ---------------------------------------------------------------- after the commit


def test_it_sends_after_the_commit_with_an_absolute_link(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.STEWARD_SITE_URL = SITE
    link = reverse("monitoring:cycle", args=[12])
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        row = mail.send_after_commit(
            subject="Results", body="The results are in.\n", to=["p@x.test"], link=link
        )
        assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["p@x.test"] and sent.subject == "Results"
    assert f"{SITE}/monitoring/12/" in sent.body
    row.refresh_from_db()
    assert row.status == OutboundEmailStatus.SENT and row.attempts == 1 and row.sent_at


def test_it_sends_nothing_when_the_transaction_rolls_back(
    mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        AgencyFactory(slug="rolled-back")
        mail.send_after_commit(subject="Saved", body="b", to=["p@x.test"])
        raise RuntimeError("the change fails after the email was asked for")
    assert callbacks == []
    assert mailoutbox == []
    assert not OutboundEmail.objects.exists()
    assert not Agency.objects.filter(slug="rolled-back").exists()


def test_no_recipients_no_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert mail.send_after_commit(subject="s", body="b", to=[]) is None
    assert callbacks == [] and not OutboundEmail.objects.exists()


def test_a_line_break_in_a_subject_becomes_a_space(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail.send_after_commit(subject="Action: fix\nthe roof", body="b", to=["p@x.test"])
    assert mailoutbox[0].subject == "Action: fix the roof"


def test_a_batch_goes_over_one_connection(
    settings, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    opened: list[object] = []
    original = mail.get_connection

    def counting(*args, **kwargs):
        connection = original(*args, **kwargs)
        opened.append(connection)
        return connection

    monkeypatch.setattr(mail, "get_connection", counting)
    batch = [mail.Mail(subject=f"s{n}", body="b", to=[f"p{n}@x.test"]) for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        rows = mail.send_batch_after_commit([*batch, mail.Mail(subject="x", body="b", to=[])])
    assert len(rows) == 3  # the one without recipients is skipped
    assert [m.subject for m in mailoutbox] == ["s0", "s1", "s2"]
    assert len(opened) == 1


# ---------------------------------------------------------------- a failed send


def test_a_failed_send_keeps_the_change_logs_and_is_sent_by_retry(
    settings,
    live,
    manager,
    provider_user,
    mailoutbox,
    caplog,
    django_capture_on_commit_callbacks,
):
    """A real change (stage 2: the provider is notified) whose email the server refuses."""
    settings.STEWARD_SITE_URL = SITE
    settings.EMAIL_BACKEND = FAILING
    with (
        caplog.at_level(logging.ERROR, logger="steward.mail"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cycle = walk(live, manager=manager, provider_user=provider_user, to="notified")
    assert Cycle.objects.get(pk=cycle.pk).notified_on is not None  # the change stays saved
    assert mailoutbox == []
    assert any(
        r.name == "steward.mail" and r.levelno == logging.ERROR and r.exc_info
        for r in caplog.records
    )
    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmailStatus.FAILED and row.attempts == 1
    assert "SMTPException" in row.last_error and row.recipients == ["contracts@provider.example"]

    out = io.StringIO()
    call_command("mail", "retry", stdout=out, stderr=io.StringIO())  # still failing
    assert "Sent 0 email(s); 1 failed again." in out.getvalue()

    settings.EMAIL_BACKEND = LOCMEM
    out = io.StringIO()
    call_command("mail", "retry", stdout=out)
    assert "Sent 1 email(s); 0 failed again." in out.getvalue()
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["contracts@provider.example"]
    assert f"{SITE}{reverse('monitoring:self_assessment', args=[cycle.pk])}" in sent.body
    row.refresh_from_db()
    assert row.status == OutboundEmailStatus.SENT and row.attempts == 3 and row.last_error == ""

    out = io.StringIO()
    call_command("mail", "retry", stdout=out)
    assert "No emails to send again." in out.getvalue()
    assert len(mailoutbox) == 1  # sent once


def test_a_connection_that_cannot_open_fails_every_email_of_the_batch(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    class Unreachable(BaseEmailBackend):
        def open(self):
            raise OSError("connection refused")

    monkeypatch.setattr(mail, "get_connection", lambda: Unreachable())
    with django_capture_on_commit_callbacks(execute=True):
        mail.send_batch_after_commit(
            [mail.Mail(subject=f"s{n}", body="b", to=["p@x.test"]) for n in range(2)]
        )
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"failed"}


def test_retry_sends_an_email_left_pending_by_a_stopped_process(mailoutbox):
    stale = OutboundEmail.objects.create(
        subject="Left behind", body="b", from_email="s@x.test", recipients=["p@x.test"]
    )
    fresh = OutboundEmail.objects.create(
        subject="Being sent", body="b", from_email="s@x.test", recipients=["p@x.test"]
    )
    OutboundEmail.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - mail.STALE_AFTER - timedelta(minutes=1)
    )
    assert mail.retry() == mail.Delivery(sent=1, failed=0)
    assert [m.subject for m in mailoutbox] == ["Left behind"]
    fresh.refresh_from_db()
    assert fresh.status == OutboundEmailStatus.PENDING


def test_an_administrator_sees_the_failed_sends_in_the_admin(client, make_user):
    OutboundEmail.objects.create(
        subject="Refused by the server",
        body="b",
        from_email="s@x.test",
        recipients=["p@x.test"],
        status=OutboundEmailStatus.FAILED,
        attempts=2,
        last_error="SMTPException: 451 try again later",
    )
    client.force_login(make_user(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    url = reverse("admin:core_outboundemail_changelist")
    response = client.get(url, {"status__exact": "failed"})
    assert response.status_code == 200
    assert "Refused by the server" in response.content.decode()
    row = OutboundEmail.objects.get()
    detail = client.get(reverse("admin:core_outboundemail_change", args=[row.pk]))
    assert detail.status_code == 200 and "451 try again later" in detail.content.decode()
