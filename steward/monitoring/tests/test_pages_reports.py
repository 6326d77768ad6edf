"""The pages around the annual cycle: the personal calendar and its iCalendar feed, action
follow-up, review meetings (seed 003), the report by exception (seed 002 stage 9) and the
twice-yearly report to the commissioning body (stage 10): content, exports, who may open them,
and bounded queries."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from icalendar import Calendar
from openpyxl import load_workbook

from steward.contracts.models import DueDate
from steward.monitoring import ical, services
from steward.monitoring.models import Action, ReviewMeeting, ServicesReport
from steward.monitoring.tests.factories import START, walk
from steward.parties.models import Role
from steward.risk.models import RiskAssessment
from steward.risk.tests.factories import make_concern
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(day: date):
    """Freeze the clock at noon of `day` (pages use timezone.localdate())."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


def text(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def provider_user(make_user):
    return make_user(Role.PROVIDER_USER, username="provider-user", email="p@provider.example")


@pytest.fixture
def live(contract, manager):
    contract.contract_manager = manager
    contract.end_date = date(2027, 12, 31)
    contract.save()
    return contract


def due(
    contract, *, on: date, rule_key: str = "return_submission", label: str = "Quarterly return"
):
    return DueDate.objects.create(
        contract=contract,
        rule_key=rule_key,
        label=label,
        pack_slug="connecticut-opm",
        pack_version=1,
        source="test",
        start_date=on - timedelta(days=10),
        days=10,
        day_kind="calendar",
        due_date=on,
    )


def red(contract, *, as_of: date, reasons: list[str] | None = None) -> RiskAssessment:
    return RiskAssessment.objects.create(
        contract=contract,
        as_of=as_of,
        computed_rating="red",
        score=12,
        reasons=reasons or ["3 serious concerns open (+9)", "2 actions overdue (+3)"],
        monitoring_level="enhanced",
    )


CAL = reverse("monitoring:calendar")


# ---------------------------------------------------------------- the calendar


def test_calendar_lists_the_managers_visit_and_deadline_grouped_by_date(
    live, manager, provider_user
):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="assessed")
    visit_on = cycle.visit_planned_for  # 2026-12-13
    due(live, on=date(2026, 12, 15), label="Quarterly return")
    with at(date(2026, 12, 14)):
        page = text(signed_in(manager).get(CAL))
    assert "December 2026" in page
    assert "Monitoring visit" in page and reverse("monitoring:cycle", args=[cycle.pk]) in page
    assert "Quarterly return" in page
    assert 'datetime="2026-12-13"' in page and 'datetime="2026-12-15"' in page
    assert page.index('datetime="2026-12-13"') < page.index('datetime="2026-12-15"')
    # the visit is past today and not recorded: marked overdue
    assert "Overdue by 1 day" in page
    assert visit_on == date(2026, 12, 13)
    # the personal feed address and the download
    assert "http://testserver/monitoring/calendar/feed/" in page
    assert reverse("monitoring:calendar_ics") in page


def test_calendar_month_navigation_and_a_bad_month(manager):
    with at(date(2026, 12, 14)):
        client = signed_in(manager)
        page = text(client.get(CAL, {"month": "2027-03"}))
        assert "March 2027" in page
        assert "?month=2027-02" in page and "?month=2027-04" in page
        assert "Nothing is due this month." in page
        bad = text(client.get(CAL, {"month": "2027-13"}))
    assert "Write the month as YYYY-MM" in bad
    assert "December 2026" in bad  # falls back to this month


def test_provider_user_sees_only_their_own_items(
    live, manager, provider_user, make_user, other_provider, agency
):
    walk(live, manager=manager, provider_user=provider_user, to="notified")  # SA due 22 Dec
    ReviewMeeting.objects.create(contract=live, kind="biannual", scheduled_for=date(2026, 12, 10))
    theirs = ContractFactory(agency=agency, provider=other_provider, status="active")
    due(theirs, on=date(2026, 12, 16), label="Their return")
    due(live, on=date(2026, 12, 17), rule_key="closeout_evaluation", label="Agency's evaluation")
    with at(date(2026, 12, 1)):
        mine = text(signed_in(provider_user).get(CAL))
        managers = text(signed_in(manager).get(CAL))
    assert "self-assessment" in mine.lower()
    assert "Their return" not in mine
    assert "Agency&#x27;s evaluation" not in mine and "Agency's evaluation" not in mine
    assert "Review meeting" not in mine.replace("review meeting", "")  # internal
    assert "Biannual review" not in mine
    assert "Biannual review" in managers and "Their return" in managers


def test_calendar_feed_parses_and_has_the_events(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    action = Action.objects.filter(cycle=cycle).order_by("due_on").first()
    token = ical.feed_token(manager)
    with at(date(2026, 12, 20)):
        response = Client().get(reverse("monitoring:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    uid = f"action-{action.pk}@steward"
    assert uid in events
    event = events[uid]
    assert event.decoded("DTSTART") == action.due_on
    assert event.decoded("DTEND") == action.due_on + timedelta(days=1)
    assert "Train two staff in safeguarding" in str(event["SUMMARY"])
    description = str(event["DESCRIPTION"])
    assert "Owner: Service manager" in description
    assert f"http://testserver{reverse('monitoring:contract', args=[live.pk])}" in description
    # the appeal window's deadline is the agency's to watch: it is in the manager's feed
    assert any(u.startswith("due-") for u in events)
    # the UID is stable: the same on the next fetch
    with at(date(2026, 12, 21)):
        again = Calendar.from_ical(
            Client().get(reverse("monitoring:calendar_feed", args=[token])).content
        )
    assert uid in {str(e["UID"]) for e in again.walk("VEVENT")}


def test_calendar_feed_token_tampered_revoked_or_inactive_is_404(manager):
    client = Client()
    token = ical.feed_token(manager)
    assert client.get(reverse("monitoring:calendar_feed", args=[token])).status_code == 200
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("monitoring:calendar_feed", args=[tampered])).status_code == 404
    other_pk = token.replace(f"{manager.pk}:", f"{manager.pk + 1}:", 1)
    assert client.get(reverse("monitoring:calendar_feed", args=[other_pk])).status_code == 404
    assert client.get(reverse("monitoring:calendar_feed", args=["nonsense"])).status_code == 404
    # changing the password revokes the address
    manager.set_password("a new password 123")
    manager.save()
    assert client.get(reverse("monitoring:calendar_feed", args=[token])).status_code == 404
    fresh = ical.feed_token(manager)
    assert fresh != token
    assert client.get(reverse("monitoring:calendar_feed", args=[fresh])).status_code == 200
    manager.is_active = False
    manager.save()
    assert client.get(reverse("monitoring:calendar_feed", args=[fresh])).status_code == 404
    assert client.post(reverse("monitoring:calendar_feed", args=[fresh])).status_code == 405


def test_calendar_download_is_session_authenticated(live, manager, provider_user):
    walk(live, manager=manager, provider_user=provider_user, to="assessed")
    ics = reverse("monitoring:calendar_ics")
    assert Client().get(ics).status_code == 302
    with at(date(2026, 12, 1)):
        response = signed_in(manager).get(ics)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    kinds = {
        str(e["UID"]).split("-")[0] for e in Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert "visit" in kinds


# ---------------------------------------------------------------- actions


def test_action_done_then_refused_a_second_time(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    action = Action.objects.filter(cycle=cycle).order_by("due_on").first()
    url = reverse("monitoring:action_done", args=[action.pk])
    with at(date(2027, 2, 1)):
        client = signed_in(manager)
        response = client.post(url, {"note": "Both trained in January."})
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:contract", args=[live.pk])
    assert any("marked as done" in m for m in flashed(response))
    action.refresh_from_db()
    assert (action.done_on, action.done_note, action.done_by) == (
        date(2027, 2, 1),
        "Both trained in January.",
        manager,
    )
    with at(date(2027, 2, 1)):
        again = client.post(url, {"note": ""})
        assert again.status_code == 302
        assert "This action was done on 2027-02-01." in flashed(again)
        assert client.get(url).status_code == 405


def test_action_done_permissions(live, manager, provider_user, make_user, other_agency):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    action = Action.objects.filter(cycle=cycle).first()
    url = reverse("monitoring:action_done", args=[action.pk])
    assert signed_in(provider_user).post(url).status_code == 403  # sees it, may not do it
    assert signed_in(make_user(Role.FINANCE_OFFICER)).post(url).status_code == 403
    stranger = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    assert signed_in(stranger).post(url).status_code == 404
    assert (
        signed_in(manager).post(reverse("monitoring:action_done", args=[999999])).status_code == 404
    )
    monitor = make_user(Role.CONTRACT_MONITOR)
    assert signed_in(monitor).post(url, {"next": "https://evil.example/"}).status_code == 302
    action.refresh_from_db()
    assert action.done_by == monitor


# ---------------------------------------------------------------- review meetings


def test_reviews_scheduled_from_the_contract_page(live, manager, provider_user, make_user):
    url = reverse("monitoring:reviews_schedule", args=[live.pk])
    response = signed_in(manager).post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:contract", args=[live.pk])
    # a term from 1 Jan 2026 to 31 Dec 2027: July 2026, January 2027 (annual), July 2027
    assert list(ReviewMeeting.objects.filter(contract=live).values_list("kind", flat=True)) == [
        "biannual",
        "annual",
        "biannual",
    ]
    assert "Scheduled 3 review meetings." in flashed(response)
    again = signed_in(manager).post(url)
    assert any("scheduled already" in m for m in flashed(again))
    assert signed_in(provider_user).post(url).status_code == 404
    assert signed_in(make_user(Role.FINANCE_OFFICER)).post(url).status_code == 403
    assert signed_in(manager).get(url).status_code == 405


def test_review_recorded_and_annual_needs_the_contract_manager(live, manager):
    services.reviews_schedule(actor=manager, contract=live)
    annual = ReviewMeeting.objects.get(contract=live, kind="annual")
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
        assert "The contract manager attends the annual review (seed 003)." in text(refused)
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


def test_review_page_permissions(live, manager, provider_user, make_user, other_agency):
    services.reviews_schedule(actor=manager, contract=live)
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


# ---------------------------------------------------------------- stage 9: report by exception


EXC = reverse("monitoring:exceptions")


@pytest.fixture
def exceptional(live, manager, provider_user, agency, provider):
    """A contract rated red, an appeal, a missed deadline and a serious concern."""
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    services.appeal_lodge(
        actor=provider_user,
        cycle=cycle,
        grounds="The rating ignores our data.",
        today=cycle.letter_on,
    )
    due(live, on=date(2027, 1, 2), label="Quarterly return")
    red(live, as_of=date(2027, 1, 5))
    make_concern(
        agency,
        provider,
        live,
        received_on=date(2027, 1, 3),
        severity="critical",
        summary="Safeguarding referral",
    )
    make_concern(
        agency, provider, live, received_on=date(2027, 1, 3), severity="low", summary="Minor"
    )
    return cycle


def test_exception_report_content(exceptional, live, make_user):
    with at(date(2027, 1, 12)):
        senior = signed_in(make_user(Role.SENIOR_MANAGER))
        page = text(senior.get(EXC))
    assert "Department of Children and Families" in page
    assert "Contracts rated red (1)" in page
    assert "3 serious concerns open (+9)" in page
    assert live.number in page
    assert "Appeals against monitoring decisions since 12 July 2026 (1)" in page
    assert reverse("monitoring:cycle", args=[exceptional.pk]) in page
    assert "Quarterly return" in page
    assert '<td data-label="Days overdue" class="steward-num">10</td>' in page
    assert "Safeguarding referral" in page and "Minor" not in page
    # a later "since" leaves the appeal out
    with at(date(2027, 1, 12)):
        later = text(senior.get(EXC, {"since": "2027-01-11"}))
    assert "0 appeals</a>" in later


def test_exception_report_pdf_and_xlsx(exceptional, live, make_user):
    with at(date(2027, 1, 12)):
        senior = signed_in(make_user(Role.SENIOR_MANAGER))
        pdf = senior.get(EXC, {"format": "pdf"})
        xlsx = senior.get(EXC, {"format": "xlsx"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content[:4] == b"%PDF"
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:4] == [
        "Red contracts",
        "Appeals",
        "Missed deadlines",
        "Serious concerns",
    ]
    rows = list(book["Red contracts"].values)
    assert rows[1][0] == live.number and "3 serious concerns open" in rows[1][5]
    missed = list(book["Missed deadlines"].values)
    assert missed[1][2] == "Quarterly return" and missed[1][4] == 10
    assert len(list(book["Serious concerns"].values)) == 2


def test_exception_report_permissions_and_agency_scope(
    exceptional, live, make_user, provider_user, other_agency, other_provider
):
    assert signed_in(provider_user).get(EXC).status_code == 403
    elsewhere = ContractFactory(agency=other_agency, provider=other_provider, status="active")
    red(elsewhere, as_of=date(2027, 1, 5))
    with at(date(2027, 1, 12)):
        other = signed_in(make_user(Role.SENIOR_MANAGER, agency=other_agency))
        oversight = signed_in(make_user(Role.OVERSIGHT_OFFICER))
        theirs = text(other.get(EXC))
        everyone = text(oversight.get(EXC))
        filtered = text(oversight.get(EXC, {"agency": other_agency.pk}))
    assert elsewhere.number in theirs and live.number not in theirs
    assert "Contracts rated red (2)" in everyone and "Every agency" in everyone
    assert elsewhere.number in filtered and live.number not in filtered


def _exceptional_rows(agency, provider, n: int) -> None:
    for i in range(n):
        c = ContractFactory(agency=agency, provider=provider, status="active")
        red(c, as_of=date(2027, 1, 5))
        due(c, on=date(2027, 1, 2))
        make_concern(agency, provider, c, received_on=date(2027, 1, 3), severity="high")


def test_exception_report_queries_do_not_grow_with_rows(
    agency, provider, make_user, django_assert_max_num_queries
):
    _exceptional_rows(agency, provider, 2)
    with at(date(2027, 1, 12)):
        senior = signed_in(make_user(Role.SENIOR_MANAGER))
        with django_assert_max_num_queries(15) as few:
            assert senior.get(EXC).status_code == 200
        _exceptional_rows(agency, provider, 12)
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = text(senior.get(EXC))
    assert "Contracts rated red (14)" in page


def test_calendar_queries_do_not_grow_with_rows(
    agency, provider, manager, django_assert_max_num_queries
):
    def make(n: int) -> None:
        for _ in range(n):
            c = ContractFactory(
                agency=agency, provider=provider, status="active", contract_manager=manager
            )
            due(c, on=date(2026, 12, 9))
            due(
                c, on=date(2026, 11, 20), rule_key="self_assessment"
            )  # overdue, from the month before
            ReviewMeeting.objects.create(
                contract=c, kind="biannual", scheduled_for=date(2026, 12, 3)
            )
            Action.objects.create(
                contract=c,
                description="Fix it",
                owner="Manager",
                horizon_months=3,
                due_on=date(2026, 12, 4),
            )

    make(2)
    with at(date(2026, 12, 5)):
        client = signed_in(manager)
        with django_assert_max_num_queries(16) as few:
            assert client.get(CAL).status_code == 200
        make(10)
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = text(client.get(CAL))
    assert "36 items" in page  # 12 contracts × (deadline, review, action) in December
    assert "Overdue from earlier months" in page


# ---------------------------------------------------------------- stage 10


REPORTS = reverse("monitoring:reports")


def test_stage_10_report_made_viewed_and_exported(live, manager, provider_user):
    walk(live, manager=manager, provider_user=provider_user, to="letter")
    red(live, as_of=date(2026, 12, 20))
    with at(date(2027, 1, 10)):
        client = signed_in(manager)
        form = text(client.get(REPORTS))
        # Connecticut's fiscal year starts in July: the halves are July–December, January–June
        assert "1 January 2027 to 30 June 2027 (the current half-year, to date)" in form
        assert 'value="2026-07-01"' in form
        missing = text(client.post(REPORTS, {"period_start": "2026-07-01"}))
        assert "Write the recommendations." in missing
        response = client.post(
            REPORTS, {"period_start": "2026-07-01", "recommendations": "Visit the red contracts."}
        )
        report = ServicesReport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("monitoring:report", args=[report.pk])
        duplicate = text(
            client.post(REPORTS, {"period_start": "2026-07-01", "recommendations": "Again."})
        )
        assert "The report for the half-year from 2026-07-01 exists." in duplicate
        listing = text(client.get(REPORTS))
        url = reverse("monitoring:report", args=[report.pk])
        page = text(client.get(url))
        pdf = client.get(url, {"format": "pdf"})
        xlsx = client.get(url, {"format": "xlsx"})
    assert url in listing and "a report exists" in listing
    assert report.period_end == date(2026, 12, 31)
    assert "Visit the red contracts." in page
    assert "<svg" in page and 'role="img"' in page
    assert "Quality and performance of the service" in page
    quality_row = page.split("Quality and performance of the service</th>")[1].split("</tr>")[0]
    assert quality_row.count('<td class="steward-num">') == 5
    assert '<td class="steward-num">1</td>' in quality_row  # one "good"
    assert "Red, now 1" in page  # the chart's description
    assert pdf.content[:4] == b"%PDF"
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Summary", "Judgements", "Risk", "Indicators", "Recommendations"]
    judgements = {row[0]: row[1:] for row in book["Judgements"].values}
    assert judgements["Quality and performance of the service"] == (0, 1, 0, 0, 1)
    summary = dict(book["Summary"].values)
    assert summary["Monitoring cycles completed (results letter sent)"] == 1
    assert list(book["Recommendations"].values)[1][0] == "Visit the red contracts."


def test_stage_10_permissions(live, manager, make_user, provider_user, other_agency, agency):
    with at(date(2027, 1, 10)):
        report = services.services_report_create(
            actor=manager,
            agency=agency,
            period_start=date(2026, 7, 1),
            recommendations="Keep going.",
            today=date(2027, 1, 10),
        )
    url = reverse("monitoring:report", args=[report.pk])
    provider = signed_in(provider_user)
    assert provider.get(REPORTS).status_code == 403
    assert provider.get(url).status_code == 403
    stranger = signed_in(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    assert stranger.get(url).status_code == 404
    assert stranger.get(url, {"format": "pdf"}).status_code == 404
    assert url not in text(stranger.get(REPORTS))
    finance = signed_in(make_user(Role.FINANCE_OFFICER))
    listing = finance.get(REPORTS)
    assert listing.status_code == 200 and url in text(listing)
    assert "Make the report" not in text(listing)
    assert finance.post(REPORTS, {"period_start": "2026-07-01"}).status_code == 403
    assert finance.get(url).status_code == 200
    oversight = signed_in(make_user(Role.OVERSIGHT_OFFICER))
    assert oversight.get(url).status_code == 200
    assert signed_in(manager).get(reverse("monitoring:report", args=[999999])).status_code == 404


def test_pages_need_sign_in():
    for name in ("calendar", "calendar_ics", "exceptions", "reports"):
        response = Client().get(reverse(f"monitoring:{name}"))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_navigation_has_the_calendar(manager):
    with at(START):
        page = text(signed_in(manager).get(CAL))
    assert f'<a href="{CAL}" aria-current="page">Calendar</a>' in page


def test_closed_cycle_leaves_no_missed_appeal_deadline(live, manager, provider_user, make_user):
    """Closing a cycle by hand after an unused appeal window closes its deadline too (as the
    daily run does), so it is not reported as missed (stage 9) nor overdue in the calendar."""
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    after = cycle.appeal_due.due_date + timedelta(days=1)
    services.cycle_close(actor=manager, cycle=cycle, today=after)
    assert DueDate.objects.get(pk=cycle.appeal_due_id).status == "done"
    with at(after + timedelta(days=5)):
        page = text(signed_in(make_user(Role.SENIOR_MANAGER)).get(EXC))
        calendar = text(signed_in(manager).get(CAL))
    assert "Missed deadlines (0)" in page
    assert "appeals a monitoring decision" not in calendar
