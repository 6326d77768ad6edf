"""Seed 002 (West London) as written, and issue 19 point 11 for the monitoring cycle: a red or
enhanced-monitoring contract takes the light route only with a justification; the results letter
is previewed and edited before it is sent and gives actual dates; the notification, the
self-assessment, the letter and the appeal take the date they happened (never in the future, not
before the step they follow, default today in the agency's zone), and the audit keeps both dates.
Through the services, the API and the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from steward.contracts.models import ContractDocument
from steward.core.errors import ValidationFailed
from steward.core.tests.api_support import call, session_client, token_client
from steward.monitoring import services
from steward.monitoring.models import Cycle
from steward.monitoring.tests.factories import START, answers, red, walk
from steward.monitoring.tests.pages import at, signed_in, text
from steward.parties.models import Role

pytestmark = pytest.mark.django_db

LETTER = {
    "results_summary": "A good service.",
    "future_funding": "Funding continues.",
    "future_specification": "No change.",
    "actions": [{"description": "Train staff", "owner": "Service manager", "horizon_months": 3}],
}


@pytest.fixture
def west_london(agency, packs):
    agency.pack = packs["west-london-sp"]
    agency.save()
    return agency


@pytest.fixture
def wl_live(west_london, live):
    return live


def _assess_light(cycle, manager, day, **kw):
    return services.cycle_assess(
        actor=manager, cycle=cycle, notes="Desk review.", route="light", today=day, **kw
    )


# ---------------------------------------------------------------- the light route


def test_seed_002_red_contract_needs_a_justification_for_the_light_route(
    wl_live, manager, provider_user
):
    """seed 002 stage 3: "If service only requires CM lite proceed to stage 5" — a red contract
    is not one that only requires it, unless someone records why."""
    red(wl_live, as_of=START)
    cycle = walk(wl_live, manager=manager, provider_user=provider_user, to="submitted")
    assert cycle.risk_rating == "red"
    day = START + timedelta(days=13)
    with pytest.raises(ValidationFailed) as exc:
        _assess_light(cycle, manager, day)
    assert "rated red" in exc.value.errors["light_route_justification"][0]
    assert Cycle.objects.get(pk=cycle.pk).stage == 2  # nothing half-written
    cycle = _assess_light(
        cycle, manager, day, light_route_justification="Visited in October after the concern."
    )
    assert cycle.route == "light"
    assert cycle.light_route_justification == "Visited in October after the concern."
    reason = cycle.history.first().history_change_reason
    assert "justified: Visited in October" in reason


def test_seed_002_enhanced_monitoring_needs_a_justification_and_green_does_not(
    wl_live, manager, provider_user
):
    """seed 002 stage 3 (seed 003: "additional monitoring"): an enhanced level set after stage
    1 counts too; a green light-monitoring contract takes the light route with no reason."""
    cycle = walk(wl_live, manager=manager, provider_user=provider_user, to="submitted")
    assert cycle.risk_rating == "green"
    assessment = red(wl_live, as_of=START + timedelta(days=12))
    assessment.computed_rating = "amber"
    assessment.save()
    with pytest.raises(ValidationFailed, match="enhanced monitoring"):
        _assess_light(cycle, manager, START + timedelta(days=13))
    assessment.monitoring_level = "light"
    assessment.computed_rating = "green"
    assessment.save()
    cycle = _assess_light(cycle, manager, START + timedelta(days=13))
    assert cycle.route == "light" and cycle.light_route_justification == ""


def test_seed_002_light_route_justification_through_the_api_and_the_page(
    wl_live, manager, provider_user
):
    """seed 002 stage 3 through the API (422 naming the field) and the assessment page."""
    red(wl_live, as_of=START)
    cycle = walk(wl_live, manager=manager, provider_user=provider_user, to="submitted")
    client = session_client(manager)
    path = f"/monitoring/cycles/{cycle.pk}/assess"
    with at(START + timedelta(days=13)):
        refused = call(client, "post", path, {"route": "light", "notes": "Desk review."})
        assert refused.status_code == 422, refused.content
        assert "light_route_justification" in refused.json()["errors"]
        page = client.post(
            reverse("monitoring:assess", args=[cycle.pk]),
            {"route": "light", "notes": "Desk review."},
        )
        assert page.status_code == 200 and "record why it needs no visit" in text(page)
        done = call(
            client,
            "post",
            path,
            {"route": "light", "notes": "Desk review.", "light_route_justification": "Visited."},
        )
    assert done.status_code == 200, done.content
    assert done.json()["assessment"]["light_route_justification"] == "Visited."
    # the provider never reads the agency's reasoning
    seen = call(token_client(provider_user), "get", f"/monitoring/cycles/{cycle.pk}").json()
    assert seen["assessment"]["light_route_justification"] is None


# ---------------------------------------------------------------- the letter


def _judged(contract, manager, provider_user, judged_on: date) -> Cycle:
    return walk(
        contract,
        manager=manager,
        provider_user=provider_user,
        to="judged",
        start=judged_on - timedelta(days=22),
    )


def test_seed_002_letter_gives_the_actual_day_to_appeal(wl_live, manager, provider_user):
    """seed 002 stages 7 and 8: the letter says "appeal by 16 March 2027", not only "within 14
    days", and each action's date."""
    cycle = _judged(wl_live, manager, provider_user, date(2027, 3, 1))
    context = services.letter_preview(actor=manager, cycle=cycle, today=date(2027, 3, 2), **LETTER)
    assert context["appeal_by"] == date(2027, 3, 16)
    from django.template.loader import render_to_string

    html = render_to_string("monitoring/letter_pdf.html", context)
    assert "by 16 March 2027" in html
    assert "2 June 2027" in html  # the action, 3 months on
    services.letter_issue(actor=manager, cycle=cycle, today=date(2027, 3, 2), **LETTER)
    cycle = Cycle.objects.get(pk=cycle.pk)
    assert cycle.appeal_due.due_date == date(2027, 3, 16)


def test_seed_002_letter_preview_writes_nothing_and_can_be_edited_api(
    wl_live, manager, provider_user
):
    """seed 002 stage 7: the preview through the API returns the letter and its dates; nothing
    is sent or kept; an edited letter is then sent."""
    cycle = _judged(wl_live, manager, provider_user, date(2027, 3, 1))
    path = f"/monitoring/cycles/{cycle.pk}/letter"
    documents = ContractDocument.objects.count()
    with at(date(2027, 3, 2)):
        client = session_client(manager)
        preview = call(client, "post", path + "/preview", LETTER)
        assert preview.status_code == 200, preview.content
        body = preview.json()
        assert body["appeal_by"] == "2027-03-16" and body["letter_on"] == "2027-03-02"
        assert body["actions"][0]["due_on"] == "2027-06-02"
        assert "by 16 March 2027" in body["html"]
        assert ContractDocument.objects.count() == documents
        assert Cycle.objects.get(pk=cycle.pk).letter_on is None
        bad = call(client, "post", path + "/preview", {**LETTER, "results_summary": ""})
        assert bad.status_code == 422
        sent = call(client, "post", path, {**LETTER, "results_summary": "Edited results."})
    assert sent.status_code == 200, sent.content
    assert Cycle.objects.get(pk=cycle.pk).results_summary == "Edited results."
    # the provider may not preview
    with at(date(2027, 3, 2)):
        assert call(token_client(provider_user), "post", path + "/preview", LETTER).status_code in (
            403,
            409,
        )


def test_seed_002_letter_preview_on_the_page_keeps_the_form_filled(wl_live, manager, provider_user):
    """seed 002 stage 7 on the page: "Preview the letter" shows it with the real dates and
    leaves the form filled for editing; nothing is sent until "Send the letter"."""
    cycle = _judged(wl_live, manager, provider_user, date(2027, 3, 1))
    url = reverse("monitoring:letter", args=[cycle.pk])
    form = {
        "results_summary": "Draft results.",
        "future_funding": "Funding continues.",
        "future_specification": "No change.",
        "action_1_description": "Train staff",
        "action_1_owner": "Service manager",
        "action_1_horizon_months": "3",
    }
    with at(date(2027, 3, 2)):
        client = signed_in(manager)
        page = client.post(url, {**form, "preview": "1"})
        assert page.status_code == 200
        html = text(page)
        assert "Preview of the letter" in html and "by 16 March 2027" in html
        assert "Draft results." in html  # the form still holds it
        assert Cycle.objects.get(pk=cycle.pk).letter_on is None
        sent = client.post(url, {**form, "results_summary": "Final results.", "confirm": "yes"})
    assert sent.status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).results_summary == "Final results."


def test_letter_preview_page_permissions(wl_live, manager, provider_user, make_user):
    """The preview is for those who run the cycle: a monitor and the provider are refused."""
    cycle = _judged(wl_live, manager, provider_user, date(2027, 3, 1))
    url = reverse("monitoring:letter", args=[cycle.pk])
    monitor = make_user(Role.CONTRACT_MONITOR, username="monitor")
    with at(date(2027, 3, 2)):
        for user in (monitor, provider_user):
            assert signed_in(user).post(url, {**LETTER, "preview": "1"}).status_code == 403


# ---------------------------------------------------------------- dates of what happened


def test_issue_19_notification_and_self_assessment_take_the_day_they_happened(
    wl_live, manager, provider_user
):
    """issue 19 point 11 (seed 002 stage 2): a notification sent on paper on Monday and
    recorded on Wednesday counts its 20 working days from Monday; the self-assessment received
    on paper is dated the day it came; the audit keeps both dates."""
    cycle = services.cycle_start(actor=manager, contract=wl_live, today=date(2027, 3, 1))
    cycle = services.cycle_notify(
        actor=manager, cycle=cycle, today=date(2027, 3, 3), on=date(2027, 3, 1)
    )
    assert cycle.notified_on == date(2027, 3, 1)
    assert cycle.self_assessment_due.start_date == date(2027, 3, 1)
    row = cycle.history.first()
    assert "happened on 2027-03-01, recorded on 2027-03-03" in row.history_change_reason
    assert row.history_date is not None  # recorded at (the audit's own clock)
    with pytest.raises(ValidationFailed, match="before the notification"):
        services.self_assessment_submit(
            actor=manager,
            cycle=cycle,
            answers=answers(),
            qaf_level="B",
            qaf_upgrades="",
            today=date(2027, 3, 10),
            on=date(2027, 2, 28),
        )
    with pytest.raises(ValidationFailed, match="future"):
        services.self_assessment_submit(
            actor=manager,
            cycle=cycle,
            answers=answers(),
            qaf_level="B",
            qaf_upgrades="",
            today=date(2027, 3, 10),
            on=date(2027, 3, 11),
        )
    cycle = services.self_assessment_submit(
        actor=manager,
        cycle=cycle,
        answers=answers(),
        qaf_level="B",
        qaf_upgrades="",
        today=date(2027, 3, 10),
        on=date(2027, 3, 8),
    )
    assert cycle.sa_submitted_on == date(2027, 3, 8)
    cycle.self_assessment_due.refresh_from_db()
    assert cycle.self_assessment_due.completed_on == date(2027, 3, 8)


def test_issue_19_notification_refused_in_the_future_or_before_the_cycle(wl_live, manager):
    """issue 19 point 11: never in the future, not before the step it follows."""
    cycle = services.cycle_start(actor=manager, contract=wl_live, today=date(2027, 3, 1))
    for on, words in ((date(2027, 3, 4), "future"), (date(2027, 2, 26), "before the cycle")):
        with pytest.raises(ValidationFailed, match=words):
            services.cycle_notify(actor=manager, cycle=cycle, today=date(2027, 3, 3), on=on)
    assert Cycle.objects.get(pk=cycle.pk).notified_on is None


def test_issue_19_letter_and_appeal_dated_when_they_happened(wl_live, manager, provider_user):
    """issue 19 point 11 (seed 002 stages 7 and 8): the letter dated the day it went out counts
    the 14 days to appeal from then; an appeal received in writing inside the window but
    recorded after it is accepted, dated the day it came."""
    cycle = _judged(wl_live, manager, provider_user, date(2027, 3, 1))
    with pytest.raises(ValidationFailed, match="before the judgement"):
        services.letter_issue(
            actor=manager, cycle=cycle, today=date(2027, 3, 5), on=date(2027, 2, 27), **LETTER
        )
    cycle = services.letter_issue(
        actor=manager, cycle=cycle, today=date(2027, 3, 5), on=date(2027, 3, 2), **LETTER
    )
    assert cycle.letter_on == date(2027, 3, 2)
    assert cycle.appeal_due.due_date == date(2027, 3, 16)
    cycle.letter_due.refresh_from_db()
    assert cycle.letter_due.completed_on == date(2027, 3, 2)
    cycle = services.appeal_lodge(
        actor=provider_user,
        cycle=cycle,
        grounds="The judgement on funding is wrong.",
        today=date(2027, 3, 17),
        on=date(2027, 3, 15),
    )
    assert cycle.appeal_lodged_on == date(2027, 3, 15)
    assert "recorded on 2027-03-17" in cycle.history.first().history_change_reason


def test_issue_19_dates_through_the_api_default_to_the_agencys_today(
    wl_live, manager, provider_user
):
    """issue 19 point 11 through the API: `on` is taken, a future one is 422, and without it
    the step is dated today in the agency's time zone (London)."""
    with at(date(2027, 3, 3)):
        client = session_client(manager)
        started = call(client, "post", f"/contracts/{wl_live.pk}/monitoring/cycles").json()
        path = f"/monitoring/cycles/{started['id']}/notify"
        future = call(client, "post", path, {"on": "2027-03-04"})
        assert future.status_code == 422 and "on" in future.json()["errors"]
        done = call(client, "post", path, {"on": "2027-03-03"})
    assert done.status_code == 200, done.content
    assert done.json()["notification"]["notified_on"] == "2027-03-03"
    cycle = Cycle.objects.get(pk=started["id"])
    with at(date(2027, 3, 5)):
        response = call(
            token_client(provider_user),
            "put",
            f"/monitoring/cycles/{cycle.pk}/self-assessment",
            {"answers": answers(), "qaf_level": "B", "qaf_upgrades": ""},
        )
    assert response.status_code == 200, response.content
    assert Cycle.objects.get(pk=cycle.pk).sa_submitted_on == date(2027, 3, 5)


def test_issue_19_notify_button_takes_the_date_on_the_page(wl_live, manager):
    """issue 19 point 11 on the cycle page: the notification button carries an optional date."""
    cycle = services.cycle_start(actor=manager, contract=wl_live, today=date(2027, 3, 1))
    with at(date(2027, 3, 3)):
        client = signed_in(manager)
        page = client.get(reverse("monitoring:cycle", args=[cycle.pk]))
        assert 'name="on"' in text(page)
        client.post(reverse("monitoring:notify", args=[cycle.pk]), {"on": "2027-03-02"})
    assert Cycle.objects.get(pk=cycle.pk).notified_on == date(2027, 3, 2)


# ---------------------------------------------------------------- stage 10


def test_seed_002_stage_10_counts_red_contracts_as_the_report_is_made(
    wl_live, west_london, manager, provider_user, contract
):
    """seed 002 stage 10: two contracts red when the report is made (assessed after the
    half-year ended) are counted red "now", as the report by exception (stage 9) counts them;
    not "Red now 0"."""
    from steward.testing.factories import ContractFactory

    other = ContractFactory(
        agency=west_london, provider=wl_live.provider, number="WL-2", status="active"
    )
    ended = ContractFactory(
        agency=west_london, provider=wl_live.provider, number="WL-3", status="terminated"
    )
    for c in (wl_live, other, ended):
        red(c, as_of=date(2027, 1, 5))
    report = services.services_report_create(
        actor=manager,
        agency=west_london,
        period_start=date(2026, 10, 1),
        recommendations="More visits.",
        today=date(2027, 1, 10),
    )
    assert report.figures["risk_now"].get("red") == 2
    # the half-year that ended in September, reported late: red now is still 2, none at start
    late = services.services_report_create(
        actor=manager,
        agency=west_london,
        period_start=date(2026, 4, 1),
        recommendations="More visits.",
        today=date(2027, 1, 10),
    )
    assert late.figures["risk_now"].get("red") == 2
    assert late.figures["risk_at_start"].get("red", 0) == 0
    from steward.monitoring.selectors import exception_report

    stage_9 = exception_report(actor=manager, as_of=date(2027, 1, 10), since=date(2026, 10, 1))
    assert len(stage_9.red) == 2
