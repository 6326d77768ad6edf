"""Issue 20: a failed email is visible to an administrator on the Outgoing mail page (not only
in Django's admin), with its error and attempts, and can be sent again after a confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from steward.core.mail import send_after_commit
from steward.core.models import OutboundEmail, OutboundEmailStatus
from steward.core.tests.test_mail import FAILING, LOCMEM
from steward.parties.models import Role
from steward.tests.pages import signed_in


@pytest.fixture
def failed(db, settings, django_capture_on_commit_callbacks):
    """An email the mail server refused (sent through the real outbox and task)."""
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        row = send_after_commit(subject="Monitoring visit", body="See you", to=["p@example.org"])
    assert row is not None
    row.refresh_from_db()
    assert row.status == OutboundEmailStatus.FAILED
    return row


def test_administrator_sees_the_failed_email_and_sends_it_again(
    client, make_user, failed, settings, mailoutbox, django_assert_max_num_queries
):
    admin = make_user(Role.ADMINISTRATOR)
    signed_in(client, admin)
    home = client.get(reverse("workspace:home"))
    assert reverse("core:mail_list").encode() in home.content  # linked from the navigation
    with django_assert_max_num_queries(12):
        page = client.get(reverse("core:mail_list"))
    text = page.content.decode()
    assert "Monitoring visit" in text and "SMTPException" in text and "p@example.org" in text
    confirm_url = reverse("core:mail_send_again", args=[failed.pk])
    confirm = client.get(confirm_url)
    assert confirm.status_code == 200 and "Send this email again?" in confirm.content.decode()
    assert OutboundEmail.objects.get().attempts == 1  # a GET sends nothing

    response = client.post(confirm_url, follow=True)  # still failing
    assert "could not be sent again" in response.content.decode()
    assert OutboundEmail.objects.get().attempts == 2

    settings.EMAIL_BACKEND = LOCMEM
    response = client.post(confirm_url, follow=True)
    assert "Sent: Monitoring visit" in response.content.decode()
    assert OutboundEmail.objects.get().status == OutboundEmailStatus.SENT and len(mailoutbox) == 1
    assert "Every email was sent." in response.content.decode()
    again = client.post(confirm_url, follow=True)  # already sent: refused, nothing sent twice
    assert "already sent" in again.content.decode() and len(mailoutbox) == 1


@pytest.mark.parametrize(
    "role",
    [
        Role.AGENCY_ADMINISTRATOR,
        Role.CONTRACT_MANAGER,
        Role.CONTRACT_MONITOR,
        Role.OVERSIGHT_OFFICER,
        Role.PROVIDER_USER,
    ],
)
def test_only_administrators_see_the_outgoing_mail(client, make_user, failed, role):
    signed_in(client, make_user(role))
    assert client.get(reverse("core:mail_list")).status_code == 403
    url = reverse("core:mail_send_again", args=[failed.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert OutboundEmail.objects.get().attempts == 1
    home = client.get(reverse("workspace:home"))
    assert reverse("core:mail_list").encode() not in home.content


def test_signed_out_is_sent_to_sign_in(client, failed):
    assert client.get(reverse("core:mail_list")).status_code == 302
