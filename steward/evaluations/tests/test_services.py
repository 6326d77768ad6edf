"""The evaluation workflow through its services (seeds 000 and 001; DOMAIN.md §3.2–3.3)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from steward.contracts import reports as contract_reports
from steward.contracts.models import DueDate
from steward.contracts.services import renewal_exercise
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.evaluations import selectors, services
from steward.evaluations.models import (
    Evaluation,
    EvaluationStatus,
    FinalisedEvaluationError,
    InLieuStatus,
    Rating,
)
from steward.evaluations.tests.factories import (
    COMPLETED_ON,
    all_ratings,
    completed_contract,
    walk,
)
from steward.parties.models import Role
from steward.testing.factories import AgencyFactory, ContractFactory

RELEASED = date(2026, 7, 20)


@pytest.fixture
def senior(make_user):
    return make_user(Role.SENIOR_MANAGER, username="senior")


@pytest.fixture
def closed(manager, provider):
    return completed_contract(manager, provider=provider, number="DCF-25-100")


# ---------------------------------------------------------------- due (seed 000)


def test_seed_000_completion_makes_the_evaluation_due_60_days_later(closed):
    due = DueDate.objects.get(contract=closed, rule_key="closeout_evaluation")
    assert due.due_date == COMPLETED_ON + timedelta(days=60) == date(2026, 8, 29)
    assert due.status == "open"


def test_seed_000_release_meets_the_due_date_on_time_and_counts_in_the_compliance_table(
    closed, manager, agency
):
    walk(closed, author=manager, to="released", released_on=date(2026, 8, 29))
    due = DueDate.objects.get(contract=closed, rule_key="closeout_evaluation")
    assert (due.status, due.completed_on) == ("done", date(2026, 8, 29))
    [row] = selectors.compliance_table(actor=manager, today=date(2026, 10, 1))
    assert (row.agency, row.on_time, row.late, row.missing, row.due) == (agency, 1, 0, 0, 0)


def test_seed_000_compliance_counts_late_missing_and_still_due_per_agency(
    manager, provider, make_user, other_agency
):
    late = completed_contract(manager, provider=provider)
    walk(late, author=manager, to="released", released_on=date(2026, 8, 30))
    completed_contract(manager, provider=provider)  # never written: missing by 1 October
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    rows = {
        r.agency.slug: r
        for r in selectors.compliance_table(actor=oversight, today=date(2026, 10, 1))
    }
    assert (rows["dcf"].on_time, rows["dcf"].late, rows["dcf"].missing) == (0, 1, 1)
    assert rows["dcf"].on_time_percent == Decimal("0.0")
    assert rows["dmh"].total == 0  # every agency is listed for the oversight officer
    still = selectors.compliance_table(actor=manager, today=date(2026, 8, 1))
    assert [(r.due, r.late) for r in still] == [(1, 1)]  # a staff member sees their own agency


def test_seed_000_the_agencies_behind_are_those_late_or_missing_in_the_compliance_table(
    manager, provider, make_user, other_agency
):
    """The home page's summary (`agencies_behind`) names the agencies the compliance table shows
    late or missing: an evaluation released after its due date counts, one on time does not."""
    late = completed_contract(manager, provider=provider)
    walk(late, author=manager, to="released", released_on=date(2026, 8, 30))
    other_manager = make_user(Role.CONTRACT_MANAGER, agency=other_agency, username="dmh-cm")
    on_time = completed_contract(other_manager, provider=provider)
    walk(on_time, author=other_manager, to="released", released_on=date(2026, 7, 20))
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    day = date(2026, 10, 1)
    rows = selectors.compliance_table(actor=oversight, today=day)
    behind, seen = selectors.agencies_behind(actor=oversight, today=day)
    assert [a.slug for a in behind] == [r.agency.slug for r in rows if r.late or r.missing]
    assert [a.slug for a in behind] == ["dcf"]
    assert seen == len(rows) == 2
    assert selectors.agencies_behind(actor=other_manager, today=day) == ([], 1)


# ---------------------------------------------------------------- start and edit


def test_start_snapshots_the_pack_form_and_gathers_evidence(closed, manager):
    evaluation = services.evaluation_start(actor=manager, contract=closed, today=RELEASED)
    assert evaluation.status == "draft"
    assert [c["key"] for c in evaluation.criteria] == [
        "service_delivery",
        "quality",
        "timeliness",
        "financial",
        "management",
    ]
    assert sum(c["weight"] for c in evaluation.criteria) == 100
    assert evaluation.ratings.count() == 5
    assert evaluation.due.rule_key == "closeout_evaluation"
    sources = {item["source"]: item for item in evaluation.evidence}
    assert sources["concerns"]["internal"] is True
    assert (evaluation.period_start, evaluation.period_end) == (date(2025, 7, 1), COMPLETED_ON)


def test_start_evidence_includes_indicator_achievement(manager, provider):
    from steward.performance.tests.factories import with_plan

    contract = ContractFactory(
        agency=manager.agency, provider=provider, status="active", start_date=date(2025, 7, 1)
    )
    with_plan(contract, manager)
    from steward.contracts.services import contract_complete

    contract_complete(actor=manager, contract=contract, completed_on=COMPLETED_ON)
    evaluation = services.evaluation_start(actor=manager, contract=contract, today=RELEASED)
    indicators = [i for i in evaluation.evidence if i["source"] == "indicator"]
    assert indicators and all(i["internal"] is False for i in indicators)


def test_closeout_needs_a_closed_contract(contract, manager):
    with pytest.raises(TransitionNotAllowed, match="once the contract is completed"):
        services.evaluation_start(actor=manager, contract=contract, today=RELEASED)


def test_one_evaluation_under_way_at_a_time(closed, manager):
    services.evaluation_start(actor=manager, contract=closed, today=RELEASED)
    with pytest.raises(TransitionNotAllowed, match="already has a closeout evaluation under way"):
        services.evaluation_start(actor=manager, contract=closed, today=RELEASED)


def test_another_agency_cannot_start_or_edit(closed, manager, make_user, other_agency):
    stranger = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    with pytest.raises(PermissionDeniedError):
        services.evaluation_start(actor=stranger, contract=closed, today=RELEASED)
    evaluation = services.evaluation_start(actor=manager, contract=closed, today=RELEASED)
    with pytest.raises(PermissionDeniedError):
        services.evaluation_update(actor=stranger, evaluation=evaluation, summary="No")


def test_update_refuses_off_scale_and_unknown_criteria_and_changes_nothing(closed, manager):
    evaluation = services.evaluation_start(actor=manager, contract=closed, today=RELEASED)
    with pytest.raises(ValidationFailed) as exc:
        services.evaluation_update(
            actor=manager, evaluation=evaluation, ratings={"quality": 9, "speed": 2, "financial": 3}
        )
    assert exc.value.errors == {
        "quality": ["9 is not on the rating scale (0, 1, 2, 3, 4)."],
        "speed": ["'speed' is not a criterion of this evaluation."],
    }
    assert not Rating.objects.filter(evaluation=evaluation, rating__isnull=False).exists()


# ---------------------------------------------------------------- release


def test_release_refuses_until_every_criterion_is_rated_naming_them(closed, manager):
    evaluation = services.evaluation_start(actor=manager, contract=closed, today=RELEASED)
    ratings = all_ratings(evaluation, 3)
    del ratings["financial"]
    services.evaluation_update(
        actor=manager, evaluation=evaluation, ratings=ratings, summary="Solid."
    )
    with pytest.raises(ValidationFailed) as exc:
        services.evaluation_release(actor=manager, evaluation=evaluation, today=RELEASED)
    assert exc.value.errors == {"financial": ["Rate financial management."]}
    assert Evaluation.objects.get(pk=evaluation.pk).status == "draft"


def test_release_needs_the_summary(closed, manager):
    evaluation = services.evaluation_start(actor=manager, contract=closed, today=RELEASED)
    services.evaluation_update(
        actor=manager, evaluation=evaluation, ratings=all_ratings(evaluation, 3)
    )
    with pytest.raises(ValidationFailed, match="overall summary"):
        services.evaluation_release(actor=manager, evaluation=evaluation, today=RELEASED)


def test_release_fixes_the_score_opens_the_comment_window_and_emails_the_provider(
    closed, manager, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    make_user(Role.PROVIDER_USER, email="director@brightfutures.example")
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = walk(
            closed,
            author=manager,
            to="released",
            ratings={
                "service_delivery": 3,
                "quality": 4,
                "timeliness": 4,
                "financial": 2,
                "management": 4,
            },
        )
    # 22.5 + 20 + 20 + 7.5 + 15
    assert evaluation.score == Decimal("85.00")
    # the Connecticut pack's evaluation_comment: 14 calendar days from release
    assert evaluation.comment_due == RELEASED + timedelta(days=14)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["director@brightfutures.example"]
    assert "85.00" in mailoutbox[0].body


def test_released_ratings_are_fixed(closed, manager):
    evaluation = walk(closed, author=manager, to="released")
    with pytest.raises(TransitionNotAllowed, match="released to the provider"):
        services.evaluation_update(actor=manager, evaluation=evaluation, ratings={"quality": 1})


# ---------------------------------------------------------------- the provider's comments


@pytest.mark.parametrize(("days_after_release", "allowed"), [(0, True), (14, True), (15, False)])
def test_seed_000_provider_comment_window_edges(
    closed, manager, make_user, days_after_release, allowed
):
    provider_user = make_user(Role.PROVIDER_USER)
    evaluation = walk(closed, author=manager, to="released")
    today = RELEASED + timedelta(days=days_after_release)
    if allowed:
        services.evaluation_comment(
            actor=provider_user,
            evaluation=evaluation,
            comments="We disagree on timeliness.",
            acknowledge=True,
            today=today,
        )
        evaluation.refresh_from_db()
        assert evaluation.acknowledged_on == today
        assert evaluation.provider_comments == "We disagree on timeliness."
    else:
        with pytest.raises(TransitionNotAllowed, match="closed on 3 August 2026"):
            services.evaluation_comment(
                actor=provider_user,
                evaluation=evaluation,
                comments="Late",
                acknowledge=False,
                today=today,
            )


def test_another_provider_cannot_comment(closed, manager, make_user, other_provider):
    stranger = make_user(Role.PROVIDER_USER, provider=other_provider)
    evaluation = walk(closed, author=manager, to="released")
    with pytest.raises(PermissionDeniedError):
        services.evaluation_comment(
            actor=stranger, evaluation=evaluation, comments="x", acknowledge=True, today=RELEASED
        )


def test_provider_cannot_comment_on_a_draft(closed, manager, make_user):
    provider_user = make_user(Role.PROVIDER_USER)
    evaluation = walk(closed, author=manager, to="draft")
    with pytest.raises(TransitionNotAllowed, match="not been released"):
        services.evaluation_comment(
            actor=provider_user,
            evaluation=evaluation,
            comments="x",
            acknowledge=True,
            today=RELEASED,
        )


# ---------------------------------------------------------------- finalise


def test_the_author_does_not_finalise(closed, manager):
    evaluation = walk(closed, author=manager, to="released")
    with pytest.raises(TransitionNotAllowed, match="other than the author"):
        services.evaluation_finalise(
            actor=manager, evaluation=evaluation, today=RELEASED + timedelta(days=30)
        )


def test_finalise_waits_for_the_window_or_the_acknowledgement(closed, manager, senior, make_user):
    evaluation = walk(closed, author=manager, to="released")
    with pytest.raises(TransitionNotAllowed, match="may comment until 3 August 2026"):
        services.evaluation_finalise(actor=senior, evaluation=evaluation, today=date(2026, 8, 3))
    services.evaluation_comment(
        actor=make_user(Role.PROVIDER_USER),
        evaluation=evaluation,
        comments="",
        acknowledge=True,
        today=date(2026, 7, 22),
    )
    services.evaluation_finalise(actor=senior, evaluation=evaluation, today=date(2026, 7, 23))
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.finalised_on, evaluation.finalised_by) == (
        "finalised",
        date(2026, 7, 23),
        senior,
    )


def test_finalise_after_the_window_closes_without_comments(closed, manager, senior):
    evaluation = walk(closed, author=manager, to="released")
    services.evaluation_finalise(actor=senior, evaluation=evaluation, today=date(2026, 8, 4))
    assert Evaluation.objects.get(pk=evaluation.pk).status == "finalised"


def test_a_monitor_does_not_finalise(closed, manager, make_user):
    evaluation = walk(closed, author=manager, to="released")
    with pytest.raises(PermissionDeniedError):
        services.evaluation_finalise(
            actor=make_user(Role.CONTRACT_MONITOR), evaluation=evaluation, today=date(2026, 9, 1)
        )


# ---------------------------------------------------------------- immutability and corrections


def test_seed_000_finalised_evaluation_is_immutable_everywhere(closed, manager, senior, make_user):
    evaluation = walk(closed, author=manager, to="finalised", reviewer=senior)
    with pytest.raises(TransitionNotAllowed, match="finalised evaluation cannot be changed"):
        services.evaluation_update(actor=manager, evaluation=evaluation, summary="Better")
    with pytest.raises(FinalisedEvaluationError):
        evaluation.summary = "Changed in the shell"
        evaluation.save()
    with pytest.raises(FinalisedEvaluationError):
        Evaluation.objects.get(pk=evaluation.pk).delete()
    rating = Rating.objects.filter(evaluation=evaluation).first()
    with pytest.raises(FinalisedEvaluationError):
        rating.rating = 0
        rating.save()
    with pytest.raises(TransitionNotAllowed, match="comments are closed"):
        services.evaluation_comment(
            actor=make_user(Role.PROVIDER_USER),
            evaluation=evaluation,
            comments="x",
            acknowledge=True,
            today=date(2026, 8, 1),
        )
    fresh = Evaluation.objects.get(pk=evaluation.pk)
    assert fresh.summary == "A good year of service."
    assert fresh.score == Decimal("100.00")


def test_finalised_evaluation_is_read_only_in_the_admin(client, closed, manager, senior, make_user):
    evaluation = walk(closed, author=manager, to="finalised", reviewer=senior)
    admin_user = make_user(Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = f"/admin/evaluations/evaluation/{evaluation.pk}/change/"
    assert client.get(url).status_code == 200  # it can be looked at
    response = client.post(url, {"summary": "Rewritten", "status": "draft"})
    assert response.status_code == 403
    delete = client.post(f"/admin/evaluations/evaluation/{evaluation.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    fresh = Evaluation.objects.get(pk=evaluation.pk)
    assert (fresh.status, fresh.summary) == ("finalised", "A good year of service.")


def test_seed_000_correction_is_a_new_version_and_both_remain_visible(
    closed, manager, senior, make_user, other_agency
):
    first = walk(closed, author=manager, to="finalised", reviewer=senior)
    with pytest.raises(ValidationFailed, match="reason"):
        services.evaluation_correct(actor=manager, evaluation=first, reason=" ", today=RELEASED)
    second = services.evaluation_correct(
        actor=manager,
        evaluation=first,
        reason="Financial rating used the wrong year.",
        today=RELEASED,
    )
    assert (second.version, second.supersedes_id, second.status) == (2, first.pk, "draft")
    assert sorted(r.rating for r in second.ratings.all()) == [4, 4, 4, 4, 4]
    with pytest.raises(TransitionNotAllowed, match="correct the latest version"):
        services.evaluation_correct(actor=manager, evaluation=first, reason="Again", today=RELEASED)
    services.evaluation_update(actor=manager, evaluation=second, ratings={"financial": 2})
    services.evaluation_release(actor=manager, evaluation=second, today=date(2026, 9, 1))
    services.evaluation_finalise(actor=senior, evaluation=second, today=date(2026, 9, 30))
    # both versions stay; the latest finalised one is the contract's score
    assert Evaluation.objects.get(pk=first.pk).score == Decimal("100.00")
    assert services.latest_scores([closed.pk]) == {closed.pk: Decimal("92.50")}
    reader = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    assert [e.version for e in selectors.versions(first, reader)] == [1, 2]


# ---------------------------------------------------------------- sharing


def test_seed_000_finalised_evaluations_are_shared_and_drafts_stay_with_their_agency(
    manager, senior, provider, other_provider, make_user, other_agency
):
    final = walk(
        completed_contract(manager, provider=provider),
        author=manager,
        to="finalised",
        reviewer=senior,
    )
    draft = walk(completed_contract(manager, provider=provider), author=manager, to="draft")
    released = walk(completed_contract(manager, provider=provider), author=manager, to="released")
    others = walk(
        completed_contract(manager, provider=other_provider), author=manager, to="released"
    )

    def seen(user):
        return set(selectors.evaluation_list(actor=user).values_list("pk", flat=True))

    assert seen(manager) == {final.pk, draft.pk, released.pk, others.pk}
    assert seen(make_user(Role.CONTRACT_MANAGER, agency=other_agency)) == {final.pk}
    assert seen(make_user(Role.PROVIDER_USER)) == {final.pk, released.pk}
    assert seen(make_user(Role.PROVIDER_USER, provider=other_provider)) == {others.pk}
    assert seen(make_user(Role.OVERSIGHT_OFFICER)) == {final.pk, draft.pk, released.pk, others.pk}


@pytest.mark.parametrize("role", [r for r in Role.values])
def test_evaluation_filter_agrees_with_the_object_rule(
    role, manager, senior, provider, make_user, other_agency
):
    final = walk(
        completed_contract(manager, provider=provider),
        author=manager,
        to="finalised",
        reviewer=senior,
    )
    draft = walk(completed_contract(manager, provider=provider), author=manager, to="draft")
    released = walk(completed_contract(manager, provider=provider), author=manager, to="released")
    for kwargs in (
        {},
        {"agency": other_agency} if role not in ("provider_user", "administrator") else {},
    ):
        user = make_user(role, **kwargs)
        listed = set(selectors.evaluation_list(actor=user).values_list("pk", flat=True))
        allowed = {
            e.pk
            for e in (final, draft, released)
            if user.has_perm("evaluations.view_evaluation", e)
        }
        assert listed == allowed, (role, kwargs)


def test_past_performance_across_agencies(manager, senior, provider, make_user, other_agency):
    walk(
        completed_contract(manager, provider=provider),
        author=manager,
        to="finalised",
        reviewer=senior,
    )
    walk(completed_contract(manager, provider=provider), author=manager, to="draft")
    reader = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    history = selectors.past_performance(actor=reader, provider=provider)
    assert [e.status for e in history.evaluations] == ["finalised"]
    assert history.average == Decimal("100.00")
    assert [score for _, score, _ in history.history] == [Decimal("100.00")]


# ---------------------------------------------------------------- reports in lieu (seed 000)


def test_seed_000_report_in_lieu_accepted_by_oversight_counts_as_done(closed, manager, make_user):
    report = services.in_lieu_submit(
        actor=manager,
        contract=closed,
        kind="report_card",
        title="FY2026 provider report card",
        upload=SimpleUploadedFile("card.pdf", b"%PDF-1.4\n% report card\n", "application/pdf"),
        today=date(2026, 8, 10),
    )
    assert report.due.rule_key == "closeout_evaluation"
    with pytest.raises(PermissionDeniedError):
        services.in_lieu_decide(
            actor=manager, report=report, accept=True, reason="", today=date(2026, 9, 1)
        )
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    services.in_lieu_decide(
        actor=oversight, report=report, accept=True, reason="", today=date(2026, 9, 15)
    )
    due = DueDate.objects.get(pk=report.due_id)
    # done on the day it was submitted: on time, though the decision came after the due date
    assert (due.status, due.completed_on) == ("done", date(2026, 8, 10))
    [row] = selectors.compliance_table(actor=manager, today=date(2026, 10, 1))
    assert (row.on_time, row.missing) == (1, 0)


def test_seed_000_rejecting_a_report_in_lieu_needs_a_reason_and_leaves_the_evaluation_due(
    closed, manager, make_user
):
    report = services.in_lieu_submit(
        actor=manager,
        contract=closed,
        kind="quality_assurance",
        title="QA report",
        link="https://example.org/qa.pdf",
        today=date(2026, 8, 10),
    )
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    with pytest.raises(ValidationFailed, match="reason"):
        services.in_lieu_decide(
            actor=oversight, report=report, accept=False, reason="", today=date(2026, 8, 12)
        )
    services.in_lieu_decide(
        actor=oversight,
        report=report,
        accept=False,
        reason="Covers only two quarters.",
        today=date(2026, 8, 12),
    )
    report.refresh_from_db()
    assert report.status == InLieuStatus.REJECTED
    assert DueDate.objects.get(pk=report.due_id).status == "open"


def test_report_in_lieu_needs_a_file_or_link(closed, manager):
    with pytest.raises(ValidationFailed) as exc:
        services.in_lieu_submit(
            actor=manager, contract=closed, kind="report_card", title="", today=RELEASED
        )
    assert set(exc.value.errors) == {"title", "file"}


def test_report_in_lieu_upload_is_checked(closed, manager):
    with pytest.raises(ValidationFailed):
        services.in_lieu_submit(
            actor=manager,
            contract=closed,
            kind="report_card",
            title="Card",
            upload=SimpleUploadedFile("card.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
            today=RELEASED,
        )


# ---------------------------------------------------------------- renewal (seed 001)


@pytest.fixture
def milwaukee(packs):
    return AgencyFactory(name="Milwaukee Public Schools", slug="mps", pack=packs["milwaukee-mps"])


@pytest.fixture
def mps_people(milwaukee, make_user):
    return (
        make_user(Role.CONTRACT_MANAGER, agency=milwaukee, username="mps-manager"),
        make_user(Role.SENIOR_MANAGER, agency=milwaukee, username="mps-senior"),
    )


@pytest.fixture
def renewable(milwaukee, provider):
    return ContractFactory(
        agency=milwaukee,
        provider=provider,
        status="active",
        # seed 001's gate: professional services let by RFP for more than a year
        contract_type="professional_services",
        compensation_structure="performance_based",
        start_date=date(2024, 7, 1),
        end_date=date(2027, 6, 30),
        renewal_options=2,
    )


def _scored(contract, people, score: str) -> Evaluation:
    manager, senior = people
    services.interim_due_open(as_of=date(2025, 7, 15))
    evaluation = services.evaluation_start(
        actor=manager, contract=contract, today=date(2025, 7, 20), kind="interim"
    )
    services.evaluation_update(
        actor=manager,
        evaluation=evaluation,
        ratings=all_ratings(evaluation, 4),
        summary="Year one.",
    )
    services.evaluation_release(actor=manager, evaluation=evaluation, today=date(2025, 7, 20))
    services.evaluation_finalise(actor=senior, evaluation=evaluation, today=date(2025, 8, 20))
    # pin the boundary exactly (the pack's ratings move in steps of 0.25)
    Evaluation.objects.filter(pk=evaluation.pk).update(score=Decimal(score))
    return evaluation


def _renew(contract, actor):
    return renewal_exercise(
        actor=actor,
        contract=contract,
        new_end_date=date(2028, 6, 30),
        effective_on=date(2027, 7, 1),
        reason="Second term",
    )


def test_seed_001_renewal_refused_at_89_99_with_the_reason(renewable, mps_people):
    _scored(renewable, mps_people, "89.99")
    with pytest.raises(TransitionNotAllowed) as exc:
        _renew(renewable, mps_people[0])
    assert "scored 89.99, below the 90 needed for renewal or extension" in exc.value.message
    renewable.refresh_from_db()
    assert renewable.renewals_exercised == 0


def test_seed_001_renewal_allowed_at_90(renewable, mps_people):
    _scored(renewable, mps_people, "90.00")
    _renew(renewable, mps_people[0])
    renewable.refresh_from_db()
    assert (renewable.renewals_exercised, renewable.end_date) == (1, date(2028, 6, 30))


def test_seed_001_never_evaluated_contract_is_not_renewed(renewable, mps_people):
    with pytest.raises(TransitionNotAllowed, match="no finalised evaluation"):
        _renew(renewable, mps_people[0])


def test_seed_001_override_with_justification_allows_one_renewal(renewable, mps_people):
    manager, senior = mps_people
    _scored(renewable, mps_people, "89.99")
    with pytest.raises(PermissionDeniedError):
        services.renewal_override_record(
            actor=manager, contract=renewable, justification="x" * 30, today=date(2027, 6, 1)
        )
    with pytest.raises(ValidationFailed, match="justification"):
        services.renewal_override_record(
            actor=senior, contract=renewable, justification="Because", today=date(2027, 6, 1)
        )
    override = services.renewal_override_record(
        actor=senior,
        contract=renewable,
        justification="No other provider serves the district's east side this year.",
        today=date(2027, 6, 1),
    )
    assert (override.renewal_number, override.score_at_override) == (1, Decimal("89.99"))
    _renew(renewable, manager)
    renewable.refresh_from_db()
    # the override was for option 1; option 2 is refused again
    with pytest.raises(TransitionNotAllowed, match=r"89\.99"):
        renewal_exercise(
            actor=manager,
            contract=renewable,
            new_end_date=date(2029, 6, 30),
            effective_on=date(2028, 7, 1),
            reason="Third term",
        )


def test_override_refused_when_the_contract_is_eligible(renewable, mps_people):
    _scored(renewable, mps_people, "95.00")
    with pytest.raises(TransitionNotAllowed, match="no override is needed"):
        services.renewal_override_record(
            actor=mps_people[1],
            contract=renewable,
            justification="Belt and braces for the board.",
            today=date(2027, 6, 1),
        )


def test_pack_without_threshold_renews_without_an_evaluation(contract, manager):
    contract.renewal_options = 1
    contract.save()
    _renew(contract, manager)  # Connecticut sets no renewal score


def test_expiring_report_shows_the_latest_score_and_eligibility(renewable, mps_people, make_user):
    _scored(renewable, mps_people, "89.99")
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    contracts = contract_reports.expiring_report(
        actor=oversight, as_of=date(2027, 3, 1), within_days=365
    )
    [row] = list(contract_reports.expiring_rows(contracts, date(2027, 3, 1)))
    assert (row.latest_score, row.renewal_eligible) == (Decimal("89.99"), False)


# ---------------------------------------------------------------- interim evaluations


def test_interim_due_dates_open_yearly_for_performance_based_contracts(
    renewable, milwaukee, provider
):
    ContractFactory(
        agency=milwaukee, provider=provider, status="active", start_date=date(2024, 7, 1)
    )
    assert services.interim_due_open(as_of=date(2026, 7, 15)) == 2
    dues = DueDate.objects.filter(contract=renewable).order_by("due_date")
    assert [(d.rule_key, d.start_date, d.due_date) for d in dues] == [
        ("interim_evaluation_1", date(2025, 6, 30), date(2025, 8, 29)),
        ("interim_evaluation_2", date(2026, 6, 30), date(2026, 8, 29)),
    ]
    assert services.interim_due_open(as_of=date(2026, 7, 15)) == 0  # idempotent


def test_interim_due_open_is_set_based(milwaukee, provider, django_assert_max_num_queries):
    def make(n):
        for _ in range(n):
            ContractFactory(
                agency=milwaukee,
                provider=provider,
                status="active",
                compensation_structure="performance_based",
                start_date=date(2024, 7, 1),
                end_date=date(2027, 6, 30),
            )

    make(2)
    with django_assert_max_num_queries(8) as few:
        services.interim_due_open(as_of=date(2025, 7, 15))
    make(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        services.interim_due_open(as_of=date(2026, 7, 15))


def test_interim_evaluation_covers_the_contract_year(renewable, mps_people):
    evaluation = _scored(renewable, mps_people, "95.00")
    evaluation.refresh_from_db()
    assert (evaluation.kind, evaluation.period_start, evaluation.period_end) == (
        "interim",
        date(2024, 7, 1),
        date(2025, 6, 30),
    )
    assert DueDate.objects.get(pk=evaluation.due_id).status == "done"


def test_interim_needs_a_due_date(contract, manager):
    with pytest.raises(TransitionNotAllowed, match="No interim evaluation is due"):
        services.evaluation_start(actor=manager, contract=contract, today=RELEASED, kind="interim")


def test_statuses_are_the_three_of_the_workflow():
    assert EvaluationStatus.values == ["draft", "released", "finalised"]
