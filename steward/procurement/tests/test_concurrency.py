"""Optimistic concurrency on a solicitation (seed 004: the procurement team may change the
debriefing windows, with a reason; issue 19 point 6; docs/security.md §6). Two officers change
the windows from the same read: the second is refused (412 on the API; on the page, a message
naming who changed what) instead of silently undoing the first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from steward.core.tests.api_support import session_client
from steward.parties.models import Role
from steward.procurement.models import Solicitation
from steward.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(scc):
    return UserFactory(
        role=Role.PROCUREMENT_OFFICER,
        agency=scc,
        username="colleague",
        first_name="Dana",
        last_name="Reyes",
    )


def test_api_stale_change_of_the_windows_is_412(solicitation, officer, colleague):
    """seed 004: the second change of the windows, from the older ETag, is refused."""
    read_url = f"/api/v1/procurement/solicitations/{solicitation.pk}"
    url = f"{read_url}/windows"
    ours, theirs = session_client(officer), session_client(colleague)
    read = ours.get(read_url)
    assert read.status_code == 200, read.content
    etag = read["ETag"]
    assert etag == f'"{Solicitation.objects.get(pk=solicitation.pk).version}"'
    first = theirs.post(
        url,
        {"request_days": 5, "meeting_days": 10, "reason": "Their reason"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert first.status_code == 200, first.content
    assert first["ETag"] != etag
    second = ours.post(
        url,
        {"request_days": 3, "meeting_days": 7, "reason": "Our reason"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert second.status_code == 412, second.content
    assert second.json()["code"] == "stale_edit"
    assert "Dana Reyes" in second.json()["detail"]
    fresh = Solicitation.objects.get(pk=solicitation.pk)
    assert (fresh.debriefing_request_days, fresh.window_change_reason) == (5, "Their reason")


def test_page_stale_change_of_the_windows_names_the_other_change(solicitation, officer, colleague):
    """seed 004: on the solicitation page, the form carries the version it was read at; a
    stale change is refused with a message naming who changed the solicitation and what."""
    detail = reverse("procurement:detail", args=[solicitation.pk])
    url = reverse("procurement:action", args=[solicitation.pk, "windows"])
    ours, theirs = session_client(officer), session_client(colleague)
    form = ours.get(detail).context["windows_form"]
    version = Solicitation.objects.get(pk=solicitation.pk).version
    assert form["version"].value() == version
    base = {"windows-version": version}
    theirs_post = {
        **base,
        "windows-request_days": "5",
        "windows-meeting_days": "10",
        "windows-reason": "Their reason",
    }
    assert theirs.post(url, theirs_post).status_code == 302
    ours_post = {
        **base,
        "windows-request_days": "3",
        "windows-meeting_days": "7",
        "windows-reason": "Our reason",
    }
    response = ours.post(url, ours_post, follow=True)
    page = response.content.decode()
    assert "changed by Dana Reyes" in page
    assert "Their reason" in page
    assert Solicitation.objects.get(pk=solicitation.pk).debriefing_request_days == 5
    again = {**ours_post, "windows-version": version + 1}
    assert ours.post(url, again).status_code == 302
    assert Solicitation.objects.get(pk=solicitation.pk).debriefing_request_days == 3


def test_page_stale_save_of_the_capacity_names_the_other_change(contracts, ccm, scc):
    """seed 003: the places a contract buys; two contract managers record them from the same
    read of the placements page: the second is refused with who changed what."""
    from steward.procurement.models import ContractCapacity

    contract = contracts["A"]
    other = UserFactory(
        role=Role.CONTRACT_MANAGER,
        agency=scc,
        username="ccm2",
        first_name="Dana",
        last_name="Reyes",
    )
    page_url = reverse("procurement:placements", args=[contract.pk])
    url = reverse("procurement:capacity", args=[contract.pk])
    ours, theirs = session_client(ccm), session_client(other)
    form = ours.get(page_url).context["capacity_form"]
    version = ContractCapacity.objects.get(contract=contract).version
    assert form["version"].value() == version
    assert theirs.post(url, {"places": "4", "version": version}).status_code == 302
    response = ours.post(url, {"places": "2", "version": version}, follow=True)
    page = response.content.decode()
    assert "changed by Dana Reyes" in page and "1 → 4" in page
    assert ContractCapacity.objects.get(contract=contract).places == 4
    assert ours.post(url, {"places": "2", "version": version + 1}).status_code == 302
    assert ContractCapacity.objects.get(contract=contract).places == 2
