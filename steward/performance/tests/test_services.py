"""Services of the performance area: plans and their timeline, returns (submit once, correct
with a reason), evidence, surveys, the library, and the signals other areas read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from steward.contracts.models import DueDate, DueDateStatus
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.parties.models import Role
from steward.performance import calc, selectors, services
from steward.performance.models import IndicatorValue, Return, ReturnStatus
from steward.performance.tests.factories import indicator_data, with_plan
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_plan_generates_a_return_per_quarter_due_by_the_pack_seed_001(contract, manager):
    with_plan(contract, manager)
    returns = list(Return.objects.filter(contract=contract).order_by("period_start"))
    assert [(r.period_start, r.period_end) for r in returns] == calc.periods(
        date(2026, 1, 1), date(2026, 12, 31), "quarterly"
    )
    pack = contract.agency.pack.parsed
    for ret in returns:
        assert ret.due_on == pack.deadline("return_submission", ret.period_end).due
    # 31 March 2026 + 20 working days on Connecticut's calendar (Good Friday, 3 April, is a
    # state holiday): 29 April 2026.
    assert returns[0].due_on == date(2026, 4, 29)
    dues = DueDate.objects.filter(contract=contract)
    assert {(d.kind, d.subject_id, d.due_date) for d in dues} == {
        ("return", r.pk, r.due_on) for r in returns
    }
    # no per-contract "performance report": no policy sets one (the reviews are monitoring's)
    assert set(dues.values_list("kind", flat=True)) == {"return"}


def test_saving_the_plan_again_adds_nothing_twice(contract, manager):
    with_plan(contract, manager)
    before = (Return.objects.count(), DueDate.objects.count())
    counts = services.plan_generate(actor=manager, contract=contract)
    assert counts == {"returns": 0, "due_dates": 0}
    assert (Return.objects.count(), DueDate.objects.count()) == before


def test_plan_needs_the_sponsors_outcomes(contract, manager):
    with pytest.raises(ValidationFailed) as exc:
        services.plan_save(actor=manager, contract=contract, data={"desired_outcomes": "  "})
    assert "desired_outcomes" in exc.value.errors


def _q1(contract):
    return Return.objects.get(contract=contract, period_start=date(2026, 1, 1))


def test_a_return_is_submitted_once_from_the_end_of_its_period(contract, manager, make_user):
    a, b = with_plan(contract, manager)
    provider_user = make_user(Role.PROVIDER_USER)
    ret = _q1(contract)
    # a window not yet open, then a step already taken: 409 (issue 19 point 12)
    with pytest.raises(TransitionNotAllowed, match="31 March 2026") as early:
        services.return_submit(actor=provider_user, ret=ret, values={}, on=date(2026, 3, 30))
    assert early.value.status_code == 409
    services.return_submit(
        actor=provider_user,
        ret=ret,
        values={a.pk: "92.5", b.pk: None},
        volumes={"units_delivered": "310", "referrals": 41},
        on=date(2026, 4, 2),
    )
    ret.refresh_from_db()
    assert ret.submitted_on == date(2026, 4, 2) and ret.submitted_by == provider_user
    assert ret.status(date(2026, 6, 1)) == ReturnStatus.ON_TIME
    assert ret.units_delivered == Decimal("310.00") and ret.referrals == 41
    assert list(ret.values.values_list("indicator_id", "value")) == [(a.pk, Decimal("92.50"))]
    due = DueDate.objects.get(contract=contract, rule_key="return:2026-03-31")
    assert due.status == DueDateStatus.DONE and due.completed_on == date(2026, 4, 2)
    with pytest.raises(TransitionNotAllowed, match="correction"):
        services.return_submit(actor=provider_user, ret=ret, values={a.pk: 1}, on=date(2026, 4, 3))


def test_late_and_missing_returns(contract, manager):
    with_plan(contract, manager)
    ret = _q1(contract)
    assert ret.status(date(2026, 4, 1)) == ReturnStatus.DUE
    assert ret.status(ret.due_on) == ReturnStatus.DUE
    assert ret.status(date(2026, 4, 30)) == ReturnStatus.MISSING
    assert ret.status(date(2026, 3, 1)) == ReturnStatus.UPCOMING
    services.return_submit(actor=manager, ret=ret, values={}, on=date(2026, 5, 4))
    ret.refresh_from_db()
    assert ret.status(date(2026, 6, 1)) == ReturnStatus.LATE
    assert ret.history.first().history_change_reason == "Return submitted late"


def test_bad_values_change_nothing(contract, manager, other_agency):
    a, _ = with_plan(contract, manager)
    other = ContractFactory(agency=other_agency, status="active")
    foreign = services.indicator_save(
        actor=make_admin(), contract=other, data=indicator_data("Elsewhere")
    )
    ret = _q1(contract)
    with pytest.raises(ValidationFailed) as exc:
        services.return_submit(
            actor=manager,
            ret=ret,
            values={a.pk: "120", foreign.pk: "1"},
            volumes={"referrals": "-1", "costs": "abc"},
            on=date(2026, 4, 1),
        )
    errors = exc.value.errors
    assert errors[f"values.{a.pk}"] == ["A percentage is from 0 to 100."]
    assert errors[f"values.{foreign.pk}"] == ["Not an indicator of this contract."]
    assert "referrals" in errors and "costs" in errors
    ret.refresh_from_db()
    assert ret.submitted_on is None and not IndicatorValue.objects.exists()


def test_negative_days_are_refused_and_never_count_as_met(contract, manager):
    """seed 003 (performance measures): a return reporting -3 days (lower is better) was once
    accepted and counted "Met" toward payment; every unit has its domain (days, counts and
    ratings never below zero)."""
    a, b = with_plan(contract, manager)
    ret = _q1(contract)
    with pytest.raises(ValidationFailed) as exc:
        services.return_submit(
            actor=manager, ret=ret, values={a.pk: "95", b.pk: "-3"}, on=date(2026, 4, 1)
        )
    assert exc.value.errors == {f"values.{b.pk}": ["A number of days cannot be negative."]}
    ret.refresh_from_db()
    assert ret.submitted_on is None and not IndicatorValue.objects.exists()
    services.return_submit(
        actor=manager, ret=ret, values={a.pk: "95", b.pk: "0"}, on=date(2026, 4, 1)
    )
    assert IndicatorValue.objects.filter(ret=ret).count() == 2


def make_admin():
    from steward.testing.factories import UserFactory

    return UserFactory(role=Role.ADMINISTRATOR, agency=None)


def test_a_correction_needs_a_reason_and_is_audited_seed_003(contract, manager):
    a, b = with_plan(contract, manager)
    ret = _q1(contract)
    services.return_submit(actor=manager, ret=ret, values={a.pk: "80"}, on=date(2026, 4, 1))
    with pytest.raises(ValidationFailed) as exc:
        services.return_correct(actor=manager, ret=ret, values={a.pk: "88"}, reason=" ")
    assert exc.value.errors == {"reason": ["Say why the return is corrected."]}
    services.return_correct(
        actor=manager, ret=ret, values={a.pk: "88", b.pk: "9"}, reason="Provider recount"
    )
    value = IndicatorValue.objects.get(ret=ret, indicator=a)
    assert value.value == Decimal("88.00")
    latest = value.history.first()
    assert latest.history_change_reason == "Correction: Provider recount"
    assert latest.history_user == manager
    assert value.history.count() == 2  # submitted, then corrected


def test_correcting_a_return_not_yet_submitted_is_refused(contract, manager):
    a, _ = with_plan(contract, manager)
    with pytest.raises(TransitionNotAllowed, match="not been submitted"):
        services.return_correct(actor=manager, ret=_q1(contract), values={a.pk: 1}, reason="x")


def test_other_providers_and_agencies_cannot_submit(contract, manager, make_user, other_provider):
    with_plan(contract, manager)
    ret = _q1(contract)
    for user in (
        make_user(Role.PROVIDER_USER, provider=other_provider),
        make_user(Role.FINANCE_OFFICER),
        make_user(Role.CONTRACT_MANAGER, agency=ContractFactory().agency),
    ):
        with pytest.raises(PermissionDeniedError):
            services.return_submit(actor=user, ret=ret, values={}, on=date(2026, 4, 1))


def test_indicator_from_the_library(contract, manager, other_agency):
    definition = services.definition_save(
        actor=manager,
        agency=contract.agency,
        data={
            "name": "Hours delivered",
            "category": "output",
            "question": "how_much",
            "unit": "count",
            "direction": "higher",
        },
    )
    indicator = services.indicator_save(
        actor=manager,
        contract=contract,
        library=definition,
        data={"target": Decimal("1200"), "tolerance": Decimal("100")},
    )
    assert (indicator.name, indicator.category, indicator.library) == (
        "Hours delivered",
        "output",
        definition,
    )
    with pytest.raises(ValidationFailed, match="already has"):
        services.definition_save(
            actor=manager,
            agency=contract.agency,
            data={
                "name": "Hours delivered",
                "category": "output",
                "question": "how_much",
                "unit": "count",
            },
        )
    other = ContractFactory(agency=other_agency)
    with pytest.raises(ValidationFailed, match="another agency"):
        services.indicator_save(
            actor=make_admin(), contract=other, library=definition, data={"target": 1}
        )


def test_indicator_validation(contract, manager):
    with pytest.raises(ValidationFailed) as exc:
        services.indicator_save(
            actor=manager,
            contract=contract,
            data=indicator_data(target=Decimal("120"), payment_weight=Decimal("101")),
        )
    assert set(exc.value.errors) == {"target", "payment_weight"}
    services.indicator_save(actor=manager, contract=contract, data=indicator_data())
    with pytest.raises(ValidationFailed, match="already has an indicator"):
        services.indicator_save(actor=manager, contract=contract, data=indicator_data())


def test_evidence_is_checked_for_type(contract, manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with_plan(contract, manager)
    ret = _q1(contract)
    with pytest.raises(ValidationFailed, match="not accepted"):
        services.evidence_add(
            actor=manager, ret=ret, upload=SimpleUploadedFile("x.exe", b"MZ\x90\x00")
        )
    with pytest.raises(ValidationFailed, match="signature"):
        services.evidence_add(actor=manager, ret=ret, upload=SimpleUploadedFile("x.pdf", b"hello"))
    evidence = services.evidence_add(
        actor=manager, ret=ret, upload=SimpleUploadedFile("sheet.csv", b"a,b\n1,2\n")
    )
    assert evidence.content_type == "text/csv" and evidence.size == 8


def test_survey_and_inspection(contract, manager):
    survey = services.survey_add(
        actor=manager,
        contract=contract,
        data={
            "group": "service_users",
            "round_label": "2026 spring",
            "conducted_on": date(2026, 5, 1),
            "respondents": 40,
            "score": Decimal("82.5"),
        },
    )
    assert survey.pk
    with pytest.raises(ValidationFailed, match="already recorded"):
        services.survey_add(
            actor=manager,
            contract=contract,
            data={
                "group": "service_users",
                "round_label": "2026 spring",
                "conducted_on": date(2026, 5, 2),
                "respondents": 1,
                "score": Decimal("50"),
            },
        )
    with pytest.raises(ValidationFailed):
        services.survey_add(
            actor=manager,
            contract=contract,
            data={
                "group": "provider_staff",
                "round_label": "x",
                "conducted_on": date(2026, 5, 2),
                "respondents": 1,
                "score": Decimal("101"),
            },
        )
    inspection = services.inspection_add(
        actor=manager,
        provider=contract.provider,
        data={"body": "State licensing", "rating": "Good", "inspected_on": date(2026, 2, 1)},
    )
    assert inspection.history.first().history_user == manager


def test_achievement_and_payment_per_period_seed_001(contract, manager):
    a, b = with_plan(contract, manager, payment_at_stake=Decimal("10000"), tolerance_credit=50)
    ret = _q1(contract)
    services.return_submit(
        actor=manager, ret=ret, values={a.pk: "86", b.pk: "9"}, on=date(2026, 4, 1)
    )
    perf = selectors.contract_performance(contract=contract, today=date(2026, 5, 15))
    rows = {r.indicator.name: r for r in perf.rows}
    assert [c.status for c in rows[a.name].cells] == [calc.WITHIN_TOLERANCE]
    assert [c.status for c in rows[b.name].cells] == [calc.MET]
    assert perf.summary[calc.MET] == 1 and perf.summary[calc.WITHIN_TOLERANCE] == 1
    # 60% within tolerance at 50% credit = 3,000.00; 40% met = 4,000.00
    assert [p.payment.earned for p in perf.payments] == [Decimal("7000.00")]
    # the second quarter has ended without a return: no data for both
    perf = selectors.contract_performance(contract=contract, today=date(2026, 7, 1))
    rows = {r.indicator.name: r for r in perf.rows}
    assert [c.status for c in rows[a.name].cells] == [calc.WITHIN_TOLERANCE, calc.NO_DATA]
    assert perf.payments[1].payment.earned == Decimal("0.00")


def test_payment_shares_not_adding_up_explain_why(contract, manager):
    a, _ = with_plan(contract, manager, payment_at_stake=Decimal("500"))
    services.indicator_save(
        actor=manager, contract=contract, indicator=a, data={"payment_weight": Decimal("50")}
    )
    perf = selectors.contract_performance(contract=contract, today=date(2026, 5, 1))
    assert perf.payments == [] and "90%" in perf.payment_problem


def test_metrics_flag_seed_001(packs, make_user):
    from steward.testing.factories import AgencyFactory

    mps = AgencyFactory(slug="mps", pack=packs["milwaukee-mps"])
    long = ContractFactory(
        agency=mps,
        contract_type="professional_services",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 1, 1),
        procurement_method="tendered",
    )
    year = ContractFactory(
        agency=mps,
        contract_type="professional_services",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        procurement_method="tendered",
    )
    school = ContractFactory(
        agency=mps,
        contract_type="charter_school",
        start_date=date(2026, 1, 1),
        end_date=date(2030, 12, 31),
        procurement_method="tendered",
    )
    # the Milwaukee pack's requirement covers professional services only
    assert not selectors.needs_metrics(school, has_indicators=False)
    assert selectors.needs_metrics(long, has_indicators=False)
    assert not selectors.needs_metrics(long, has_indicators=True)
    assert not selectors.needs_metrics(year, has_indicators=False)


def test_risk_signals_seed_003(contract, manager):
    a, b = with_plan(contract, manager)
    q1 = Return.objects.filter(contract=contract).order_by("period_start").first()
    services.return_submit(
        actor=manager, ret=q1, values={a.pk: "50", b.pk: "30"}, on=date(2026, 5, 6)
    )
    signals = selectors.risk_signals([contract.pk], date(2026, 8, 15))
    # Q1 late (due 29 April, in on 6 May) with both indicators missed; Q2 due 29 July, missing
    assert signals[contract.pk] == {"returns_missing": 1, "returns_late": 1, "indicators_missed": 2}
    assert selectors.risk_signals([contract.pk], date(2026, 4, 1))[contract.pk] == {
        "returns_missing": 0,
        "returns_late": 0,
    }


def test_units_delivered_feed_the_pricing_cross_check(contract, manager):
    from steward.contracts.hooks import units_delivered

    with_plan(contract, manager)
    services.return_submit(
        actor=manager,
        ret=_q1(contract),
        values={},
        volumes={"units_delivered": "250"},
        on=date(2026, 4, 1),
    )
    assert units_delivered(contract) == [(date(2026, 1, 1), date(2026, 3, 31), Decimal("250.00"))]
