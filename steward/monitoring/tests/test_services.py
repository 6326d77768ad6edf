"""The annual monitoring cycle through its services (seeds 002 and 003; DOMAIN.md §3.1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from steward.contracts.models import ContractDocument
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.formatting import fmt_date
from steward.monitoring import selectors, services
from steward.monitoring.models import Action, Cycle, ReviewMeeting
from steward.monitoring.tests.factories import START, answers, walk
from steward.parties.models import Role
from steward.testing.factories import AgencyFactory, ContractFactory


@pytest.fixture
def provider_user(make_user):
    return make_user(Role.PROVIDER_USER, username="provider", email="contracts@provider.example")


@pytest.fixture
def live(contract, manager):
    contract.contract_manager = manager
    contract.save()
    return contract


# ---------------------------------------------------------------- the whole cycle


def test_seed_002_full_route_end_to_end(
    live, manager, provider_user, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    assert cycle.stage == 7 and cycle.route == "full"
    # stage 2: 20 working days in the Connecticut calendar (Thanksgiving on 26 November)
    assert cycle.self_assessment_due.due_date == date(2026, 12, 22)
    assert cycle.self_assessment_due.status == "done"
    # stage 7: 20 working days from all information being in (the visit on 13 December, a
    # Sunday in this test's dates: counting starts the next working day)
    assert cycle.information_complete_on == cycle.visited_on == date(2026, 12, 13)
    assert cycle.letter_due.kind == "results_letter"
    assert cycle.letter_due.due_date == date(2027, 1, 12)
    assert (cycle.letter_due.status, cycle.letter_due.completed_on) == ("done", cycle.letter_on)
    # the letter is a PDF kept with the contract and released to the provider, and meets its
    # due date
    document = ContractDocument.objects.get(pk=cycle.letter_document_id)
    assert cycle.letter_due.met_by == document
    assert document.released_to_provider
    assert document.file.read(4) == b"%PDF"
    # the action plan: owners and due dates at 3 and 6 months from the letter
    assert [(a.owner, a.due_on) for a in Action.objects.filter(cycle=cycle)] == [
        ("Service manager", date(2027, 3, 17)),
        ("Team leader", date(2027, 6, 17)),
    ]
    # stage 8: 14 calendar days to appeal
    assert cycle.appeal_due.due_date == cycle.letter_on + timedelta(days=14)
    subjects = [m.subject for m in mailoutbox]
    assert subjects == [
        f"Annual contract monitoring 2026: {live.number}",
        f"Contract monitoring results 2026: {live.number}",
    ]
    assert cycle.dq_sampled == 10 and services.data_quality_percent(cycle) == 90


def test_seed_002_light_route_skips_the_visit_and_discusses_the_draft_plan(
    live, manager, provider_user
):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="judged", route="light")
    assert cycle.visited_on is None
    # all information is in with the self-assessment: the letter is due 20 working days later
    assert cycle.information_complete_on == START + timedelta(days=10)
    with pytest.raises(TransitionNotAllowed, match="comes after stage 6"):
        services.letter_issue(
            actor=manager,
            cycle=cycle,
            results_summary="x",
            future_funding="x",
            future_specification="x",
            actions=[],
            today=date(2026, 12, 10),
        )
    services.discussion_record(
        actor=manager,
        cycle=cycle,
        discussed_on=date(2026, 12, 9),
        method="meeting",
        notes="Agreed.",
        today=date(2026, 12, 9),
    )
    services.letter_issue(
        actor=manager,
        cycle=cycle,
        results_summary="Good.",
        future_funding="Continues.",
        future_specification="Unchanged.",
        actions=[],
        today=date(2026, 12, 10),
    )
    assert Cycle.objects.get(pk=cycle.pk).stage == 7


def test_seed_002_stage_1_route_follows_the_risk_assessment(live, manager):
    cycle = services.cycle_start(actor=manager, contract=live, today=START)
    assert cycle.stage == 1
    assert cycle.risk_rating == "green" and cycle.monitoring_level == "light"
    assert cycle.route == "light"


# ---------------------------------------------------------------- deadlines across holidays


@pytest.mark.parametrize(
    ("pack", "notified", "sa_due"),
    [
        ("connecticut-opm", date(2026, 11, 23), date(2026, 12, 22)),  # Thanksgiving
        (
            "west-london-sp",
            date(2026, 12, 21),
            date(2027, 1, 21),
        ),  # Christmas, Boxing Day (Mon 28), New Year
        ("scottish-childrens", date(2026, 12, 21), date(2027, 1, 22)),  # and 2 January (Mon 4)
        ("milwaukee-mps", date(2026, 12, 21), date(2027, 1, 25)),  # Christmas Eve, New Year's Eve
        ("massachusetts-osd", date(2026, 11, 23), date(2026, 12, 22)),
    ],
)
def test_seed_002_self_assessment_20_working_days_in_each_pack(
    packs, provider, make_user, pack, notified, sa_due
):
    agency = AgencyFactory(slug=f"a-{pack}", pack=packs[pack])
    manager = make_user(Role.CONTRACT_MANAGER, agency=agency, username=f"m-{pack}")
    contract = ContractFactory(agency=agency, provider=provider, status="active")
    cycle = services.cycle_start(actor=manager, contract=contract, today=notified)
    cycle = services.cycle_notify(actor=manager, cycle=cycle, today=notified)
    assert cycle.self_assessment_due.due_date == sa_due
    assert cycle.self_assessment_due.day_kind == "working"


def test_seed_002_letter_due_20_working_days_from_the_self_assessment_on_the_light_route(
    packs, provider, make_user
):
    agency = AgencyFactory(slug="wl", pack=packs["west-london-sp"])
    manager = make_user(Role.CONTRACT_MANAGER, agency=agency, username="m-wl")
    contract = ContractFactory(agency=agency, provider=provider, status="active")
    provider_user = make_user(Role.PROVIDER_USER, username="p-wl")
    cycle = services.cycle_start(actor=manager, contract=contract, today=date(2026, 12, 1))
    services.cycle_notify(actor=manager, cycle=cycle, today=date(2026, 12, 1))
    services.self_assessment_submit(
        actor=provider_user,
        cycle=cycle,
        answers=answers(),
        qaf_level="C",
        qaf_upgrades="",
        today=date(2026, 12, 21),
    )
    cycle = services.cycle_assess(
        actor=manager, cycle=cycle, notes="Fine.", route="light", today=date(2026, 12, 22)
    )
    assert cycle.letter_due.due_date == date(2027, 1, 21)


# ---------------------------------------------------------------- order and refusals


def test_out_of_order_steps_are_refused_with_clear_messages(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="notified")
    with pytest.raises(
        TransitionNotAllowed,
        match="not submitted the self-assessment yet \\(due 22 December 2026\\)",
    ):
        services.cycle_assess(actor=manager, cycle=cycle, notes="x", route="light", today=START)
    with pytest.raises(TransitionNotAllowed, match=r"Stage 5 .* comes after stage 3"):
        services.judgement_record(actor=manager, cycle=cycle, areas=answers(), today=START)
    with pytest.raises(TransitionNotAllowed, match=r"Stage 2 .* is already done"):
        services.cycle_notify(actor=manager, cycle=cycle, today=START)
    with pytest.raises(TransitionNotAllowed, match="no decision to appeal"):
        services.appeal_lodge(actor=provider_user, cycle=cycle, grounds="x", today=START)


def test_visit_refused_on_the_light_route(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="assessed", route="light")
    with pytest.raises(TransitionNotAllowed, match="light route"):
        services.visit_record(
            actor=manager,
            cycle=cycle,
            visited_on=START,
            staff_met="x",
            self_assessment_review="x",
            action_plan_review="",
            service_users_met="x",
            qaf_spot_check="",
            dq_sampled=1,
            dq_matched=1,
            dq_notes="",
            today=START + timedelta(days=20),
        )


def test_self_assessment_needs_every_area_and_the_qaf_level(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="notified")
    partial = answers()
    del partial["funding"]
    partial["quality"]["rating"] = "superb"
    with pytest.raises(ValidationFailed) as exc:
        services.self_assessment_submit(
            actor=provider_user,
            cycle=cycle,
            answers=partial,
            qaf_level="E",
            qaf_upgrades="",
            today=START,
        )
    assert set(exc.value.errors) == {
        "quality_rating",
        "funding_rating",
        "funding_evidence",
        "qaf_level",
    }
    assert Cycle.objects.get(pk=cycle.pk).sa_submitted_on is None


def test_another_provider_and_another_agency_are_refused(
    live, manager, provider_user, make_user, other_provider, other_agency
):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="notified")
    with pytest.raises(PermissionDeniedError):
        services.self_assessment_submit(
            actor=make_user(Role.PROVIDER_USER, provider=other_provider),
            cycle=cycle,
            answers=answers(),
            qaf_level="B",
            qaf_upgrades="",
            today=START,
        )
    with pytest.raises(PermissionDeniedError):
        services.cycle_assess(
            actor=make_user(Role.CONTRACT_MANAGER, agency=other_agency),
            cycle=cycle,
            notes="x",
            route="light",
            today=START,
        )


def test_one_cycle_per_contract_per_year(live, manager):
    services.cycle_start(actor=manager, contract=live, today=START)
    with pytest.raises(TransitionNotAllowed, match="already under way"):
        services.cycle_start(actor=manager, contract=live, today=START)


def test_visit_data_quality_sample_checked(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="assessed")
    with pytest.raises(ValidationFailed) as exc:
        services.visit_record(
            actor=manager,
            cycle=cycle,
            visited_on=date(2026, 12, 8),
            staff_met="x",
            self_assessment_review="x",
            action_plan_review="",
            service_users_met="x",
            qaf_spot_check="",
            dq_sampled=5,
            dq_matched=6,
            dq_notes="",
            today=date(2026, 12, 8),
        )
    assert exc.value.errors == {"dq_matched": ["Between 0 and the 5 values sampled."]}


# ---------------------------------------------------------------- appeals (stage 8)


@pytest.mark.parametrize(("days_after_letter", "allowed"), [(14, True), (15, False)])
def test_seed_002_provider_has_14_days_to_appeal(
    live, manager, provider_user, days_after_letter, allowed
):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    today = cycle.letter_on + timedelta(days=days_after_letter)
    if allowed:
        services.appeal_lodge(
            actor=provider_user,
            cycle=cycle,
            grounds="The funding decision ignores Q3.",
            today=today,
        )
        assert Cycle.objects.get(pk=cycle.pk).stage == 8
    else:
        with pytest.raises(
            TransitionNotAllowed,
            match=f"14 days to appeal ended on {fmt_date(cycle.appeal_due.due_date)}",
        ):
            services.appeal_lodge(actor=provider_user, cycle=cycle, grounds="Late.", today=today)


def test_appeal_decided_closes_the_cycle_and_sends_the_outcome(
    live, manager, provider_user, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    services.appeal_lodge(
        actor=provider_user, cycle=cycle, grounds="Ratings too low.", today=cycle.letter_on
    )
    with pytest.raises(PermissionDeniedError):
        services.appeal_decide(
            actor=make_user(Role.CONTRACT_MONITOR),
            cycle=cycle,
            outcome="dismissed",
            decision="x",
            today=cycle.letter_on,
        )
    with pytest.raises(ValidationFailed):
        services.appeal_decide(
            actor=manager, cycle=cycle, outcome="maybe", decision="", today=cycle.letter_on
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(
            actor=make_user(Role.SENIOR_MANAGER),
            cycle=cycle,
            outcome="partly_upheld",
            decision="Quality rating raised to good.",
            today=cycle.letter_on + timedelta(days=5),
        )
    cycle.refresh_from_db()
    assert (cycle.status, cycle.appeal_outcome, cycle.appeal_outcome_sent_on) == (
        "closed",
        "partly_upheld",
        cycle.letter_on + timedelta(days=5),
    )
    assert mailoutbox[-1].subject == f"Your appeal on contract {live.number}: partly upheld"
    assert "Quality rating raised" in mailoutbox[-1].body


def test_cycle_closes_only_after_the_appeal_window(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    last = cycle.appeal_due.due_date
    with pytest.raises(TransitionNotAllowed, match=f"may appeal until {fmt_date(last)}"):
        services.cycle_close(actor=manager, cycle=cycle, today=last)
    assert services.cycles_close_due(today=last + timedelta(days=1)) == 1
    assert Cycle.objects.get(pk=cycle.pk).status == "closed"


# ---------------------------------------------------------------- actions and risk


def test_overdue_actions_feed_the_risk_assessment(live, manager, provider_user):
    from steward.risk.models import RiskAssessment
    from steward.risk.services import recompute

    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    first = Action.objects.filter(cycle=cycle).order_by("due_on").first()
    late = first.due_on + timedelta(days=1)
    assert services.actions_overdue_signal([live.pk], late) == {live.pk: {"actions_overdue": 1}}
    recompute(as_of=late, contracts=type(live).objects.filter(pk=live.pk))
    assessment = RiskAssessment.objects.filter(contract=live).order_by("-as_of", "-id").first()
    assert assessment.signals["actions_overdue"] == 1
    services.action_complete(actor=manager, action=first, note="Done in March.", today=late)
    assert services.actions_overdue_signal([live.pk], late) == {}
    with pytest.raises(TransitionNotAllowed, match="was done on"):
        services.action_complete(actor=manager, action=first, note="", today=late)


# ---------------------------------------------------------------- reviews (seed 003)


def test_seed_003_review_meetings_planned_and_annual_needs_the_contract_manager(live, manager):
    new = services.reviews_plan(actor=manager, contract=live, today=date(2026, 1, 1))
    assert [(m.kind, m.scheduled_for) for m in new] == [
        ("biannual", date(2026, 6, 30)),
        ("annual", date(2026, 12, 31)),
    ]
    assert services.reviews_plan(actor=manager, contract=live, today=date(2026, 1, 1)) == []
    live.end_date = date(2027, 12, 31)
    live.save()
    assert [
        (m.kind, m.scheduled_for)
        for m in services.reviews_plan(actor=manager, contract=live, today=date(2026, 1, 1))
    ] == [("biannual", date(2027, 6, 30)), ("annual", date(2027, 12, 31))]
    annual = ReviewMeeting.objects.get(contract=live, scheduled_for=date(2026, 12, 31))
    with pytest.raises(ValidationFailed, match="attends the annual review"):
        services.review_record(
            actor=manager,
            meeting=annual,
            held_on=date(2027, 1, 5),
            chair="Team leader",
            attendees="",
            contract_manager_attended=False,
            minutes="Went well.",
            today=date(2027, 1, 6),
        )
    services.review_record(
        actor=manager,
        meeting=annual,
        held_on=date(2027, 1, 5),
        chair="Team leader",
        attendees="Provider manager",
        contract_manager_attended=True,
        minutes="Went well.",
        today=date(2027, 1, 6),
    )
    assert ReviewMeeting.objects.get(pk=annual.pk).held_on == date(2027, 1, 5)


def test_review_meetings_are_planned_only_for_a_live_contract_by_its_agencys_staff(
    live, manager, make_user, other_agency
):
    with pytest.raises(PermissionDeniedError):
        services.reviews_plan(
            actor=make_user(Role.CONTRACT_MANAGER, agency=other_agency),
            contract=live,
            today=date(2026, 1, 1),
        )
    live.status = "completed"
    live.completed_on = date(2026, 6, 1)
    live.save()
    with pytest.raises(TransitionNotAllowed, match="executed or active"):
        services.reviews_plan(actor=manager, contract=live, today=date(2026, 1, 1))


def test_a_cancelled_review_meeting_cannot_be_recorded(live, manager):
    services.reviews_plan(actor=manager, contract=live, today=date(2026, 1, 1))
    live.end_date = date(2026, 3, 31)
    live.save()
    services.reviews_plan(actor=manager, contract=live, today=date(2026, 1, 1))
    gone = ReviewMeeting.objects.get(contract=live, scheduled_for=date(2026, 6, 30))
    assert gone.cancelled_on == date(2026, 1, 1)
    with pytest.raises(TransitionNotAllowed, match="was cancelled"):
        services.review_record(
            actor=manager,
            meeting=gone,
            held_on=date(2026, 6, 30),
            chair="Team leader",
            attendees="",
            contract_manager_attended=True,
            minutes="Held anyway.",
            today=date(2026, 7, 1),
        )


# ---------------------------------------------------------------- calendar, reports


def test_calendar_of_a_contract_manager_and_a_provider_user_is_their_work_list(
    live, manager, provider_user, make_user
):
    from steward.workspace.selectors import work_items

    monitor = make_user(Role.CONTRACT_MONITOR)
    cycle = walk(live, manager=manager, provider_user=provider_user, to="assessed")
    services.reviews_plan(actor=manager, contract=live, today=START)
    for user in (manager, monitor, provider_user):
        items = selectors.calendar_items(user=user, start=START, end=date(2027, 12, 31))
        work = [i for i in work_items(user=user) if START <= i.due_date <= date(2027, 12, 31)]
        assert [(i.uid, i.url, i.title) for i in items] == [
            (f"due-{w.due.pk}", w.url, w.todo) for w in work
        ]
    kinds = {
        (i.kind, i.on)
        for i in selectors.calendar_items(user=monitor, start=START, end=date(2027, 12, 31))
    }
    assert ("monitoring_visit", cycle.visit_planned_for) in kinds
    assert ("review_meeting", date(2026, 12, 31)) in kinds
    mine = selectors.calendar_items(user=provider_user, start=START, end=date(2027, 12, 31))
    assert mine == []  # the self-assessment is in; nothing else is the provider's yet


def test_seed_002_stage_9_report_by_exception(live, manager, provider_user, make_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    services.appeal_lodge(actor=provider_user, cycle=cycle, grounds="x", today=cycle.letter_on)
    senior = make_user(Role.SENIOR_MANAGER)
    report = selectors.exception_report(
        actor=senior, as_of=date(2027, 1, 10), since=date(2026, 7, 1)
    )
    assert [c.pk for c in report.appeals] == [cycle.pk]


def test_seed_002_stage_10_report_to_the_commissioning_body(live, manager, provider_user, agency):
    walk(live, manager=manager, provider_user=provider_user, to="letter")
    with pytest.raises(ValidationFailed, match="starts on 1 July 2026"):
        services.services_report_create(
            actor=manager,
            agency=agency,
            period_start=date(2026, 8, 1),
            recommendations="More visits.",
            today=date(2027, 1, 10),
        )
    report = services.services_report_create(
        actor=manager,
        agency=agency,
        period_start=date(2026, 7, 1),
        recommendations="More visits.",
        today=date(2027, 1, 10),
    )
    assert report.period_end == date(2026, 12, 31)
    assert report.figures["cycles_completed"] == 1
    assert report.figures["judgements"]["quality"] == {"good": 1}
    with pytest.raises(ValidationFailed, match="exists"):
        services.services_report_create(
            actor=manager,
            agency=agency,
            period_start=date(2026, 7, 1),
            recommendations="Again.",
            today=date(2027, 1, 10),
        )


# ---------------------------------------------------------------- visibility


def test_provider_sees_the_cycle_only_once_notified(
    live, manager, provider_user, make_user, other_provider, other_agency
):
    cycle = services.cycle_start(actor=manager, contract=live, today=START)

    def seen(user):
        return set(selectors.cycle_list(actor=user).values_list("pk", flat=True))

    assert seen(provider_user) == set()
    services.cycle_notify(actor=manager, cycle=cycle, today=START)
    assert seen(provider_user) == {cycle.pk}
    assert seen(make_user(Role.PROVIDER_USER, provider=other_provider)) == set()
    assert seen(make_user(Role.CONTRACT_MANAGER, agency=other_agency)) == set()
    assert seen(make_user(Role.OVERSIGHT_OFFICER)) == {cycle.pk}


@pytest.mark.parametrize("role", list(Role.values))
def test_cycle_filter_agrees_with_the_object_rule(
    role, live, manager, provider_user, make_user, other_agency
):
    started = services.cycle_start(actor=manager, contract=live, today=START)
    other = ContractFactory(agency=live.agency, provider=live.provider, status="active")
    notified = walk(other, manager=manager, provider_user=provider_user, to="notified")
    for kwargs in (
        {},
        {"agency": other_agency} if role not in ("provider_user", "administrator") else {},
    ):
        user = make_user(role, **kwargs)
        listed = set(selectors.cycle_list(actor=user).values_list("pk", flat=True))
        allowed = {c.pk for c in (started, notified) if user.has_perm("monitoring.view_cycle", c)}
        assert listed == allowed, (role, kwargs)
