"""Review meetings (seed 003): planning the review cycle of a contract executed before it was
planned at execution, from the contract page; recording one as held (the annual review needs
the contract manager); a cancelled one; and who may open or record them."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from steward.monitoring import services
from steward.monitoring.models import ReviewMeeting
from steward.monitoring.tests.pages import at, flashed, signed_in, text
from steward.parties.models import Role

pytestmark = pytest.mark.django_db


def test_reviews_planned_from_the_contract_page(live, manager, provider_user, make_user):
    url = reverse("monitoring:reviews_schedule", args=[live.pk])
    with at(date(2026, 1, 1)):
        response = signed_in(manager).post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:contract", args=[live.pk])
    # a term from 1 January 2026 to 31 December 2027: each contract year's first half ends with a
    # biannual review, the year itself with the annual one
    assert list(
        ReviewMeeting.objects.filter(contract=live).values_list("kind", "scheduled_for")
    ) == [
        ("biannual", date(2026, 6, 30)),
        ("annual", date(2026, 12, 31)),
        ("biannual", date(2027, 6, 30)),
        ("annual", date(2027, 12, 31)),
    ]
    assert "Planned 4 review meetings." in flashed(response)
    with at(date(2026, 1, 1)):
        again = signed_in(manager).post(url)
    assert any("planned already" in m for m in flashed(again))
    assert signed_in(provider_user).post(url).status_code == 404
    assert signed_in(make_user(Role.FINANCE_OFFICER)).post(url).status_code == 403
    assert signed_in(manager).get(url).status_code == 405


def test_review_recorded_and_annual_needs_the_contract_manager(live, manager):
    services.reviews_plan(actor=manager, contract=live, today=live.start_date)
    annual = ReviewMeeting.objects.get(contract=live, scheduled_for=date(2026, 12, 31))
    url = reverse("monitoring:review", args=[annual.pk])
    data = {
        "held_on": "2027-01-05",
        "chair": "Operations manager",
        "attendees": "Provider's service manager\nTeam leader",
        "minutes": "Reviewed the action plan; two actions done.",
    }
    with at(date(2027, 1, 6)):
        client = signed_in(manager)
        page = text(client.get(url))
        assert "Record the meeting as held" in page
        refused = client.post(url, data)
        assert refused.status_code == 200
        assert "The contract manager attends the annual review." in text(refused)
        assert ReviewMeeting.objects.get(pk=annual.pk).held_on is None
        empty = text(client.post(url, {"held_on": "2027-01-05"}))
        assert "Say who chaired the review." in empty and "Record the minutes." in empty
        future = text(
            client.post(url, {**data, "held_on": "2027-01-09", "contract_manager_attended": "on"})
        )
        assert "Record the review once it has been held." in future
        done = client.post(url, {**data, "contract_manager_attended": "on"})
        assert done.status_code == 302 and done["Location"] == url
        shown = text(client.get(url))
    meeting = ReviewMeeting.objects.get(pk=annual.pk)
    assert (meeting.held_on, meeting.chair, meeting.recorded_by) == (
        date(2027, 1, 5),
        "Operations manager",
        manager,
    )
    assert "Operations manager" in shown and "Correct the record" in shown


def test_a_cancelled_review_meeting_shows_why_and_cannot_be_recorded(live, manager):
    services.reviews_plan(actor=manager, contract=live, today=live.start_date)
    live.end_date = date(2026, 9, 30)
    live.save()
    with at(date(2026, 2, 1)):
        services.reviews_plan(actor=manager, contract=live, today=date(2026, 2, 1))
    gone = ReviewMeeting.objects.get(contract=live, scheduled_for=date(2026, 12, 31))
    url = reverse("monitoring:review", args=[gone.pk])
    with at(date(2026, 2, 1)):
        page = text(signed_in(manager).get(url))
        refused = signed_in(manager).post(url, {"held_on": "2026-02-01", "chair": "x"})
    assert "Cancelled" in page and "Replaced by the contract&#x27;s review cycle" in page
    assert "Record the meeting as held" not in page
    assert refused.status_code == 302 and refused["Location"] == url
    assert flashed(refused) == [
        "This review meeting was cancelled: Replaced by the contract's review cycle."
    ]
    contract_page = text(signed_in(manager).get(reverse("monitoring:contract", args=[live.pk])))
    assert url not in contract_page


def test_review_page_permissions(live, manager, provider_user, make_user, other_agency):
    services.reviews_plan(actor=manager, contract=live, today=live.start_date)
    meeting = ReviewMeeting.objects.filter(contract=live).first()
    url = reverse("monitoring:review", args=[meeting.pk])
    assert signed_in(provider_user).get(url).status_code == 404
    assert (
        signed_in(make_user(Role.CONTRACT_MANAGER, agency=other_agency)).get(url).status_code == 404
    )
    finance = signed_in(make_user(Role.FINANCE_OFFICER))
    page = finance.get(url)
    assert page.status_code == 200 and "Record the review" not in text(page)
    assert finance.post(url, {"chair": "x"}).status_code == 403
    assert signed_in(make_user(Role.OVERSIGHT_OFFICER)).get(url).status_code == 200
    assert signed_in(manager).get(reverse("monitoring:review", args=[999999])).status_code == 404
