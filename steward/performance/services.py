"""Writes of specifications, indicators, plans, returns and other evidence (seeds 001, 003).

Every write checks permission, validates, and writes its audit row in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from steward.contracts.models import Contract, DueDate
from steward.contracts.services_due_dates import (
    agency_calendar,
    due_date_open,
    due_dates_cancel,
    due_dates_meet,
)
from steward.core.deadlines import compute_deadline
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.mail import send_after_commit
from steward.core.services import check_uploaded_file, require_perm, save_audited
from steward.parties.models import Agency, InspectionRating, Provider
from steward.performance import calc
from steward.performance.models import (
    Evidence,
    Indicator,
    IndicatorDefinition,
    IndicatorValue,
    Milestone,
    Plan,
    PlanVersion,
    PlanVersionStatus,
    Return,
    Specification,
    Survey,
)

#: The fields of an indicator a person sets (the library holds the same, less the figures).
DEFINITION_FIELDS = (
    "name",
    "definition",
    "category",
    "question",
    "unit",
    "direction",
    "frequency",
    "data_source",
)
INDICATOR_FIELDS = (*DEFINITION_FIELDS, "target", "baseline", "tolerance", "payment_weight")
PLAN_FIELDS = (
    "desired_outcomes",
    "agreed_expectations",
    "return_frequency",
    "payment_at_stake",
    "tolerance_credit",
    "status_meetings",
    "reports",
)
VOLUME_FIELDS = ("units_delivered", "referrals", "starts", "leavers", "costs")
SURVEY_FIELDS = ("group", "round_label", "conducted_on", "respondents", "score", "comments")
INSPECTION_FIELDS = ("body", "rating", "inspected_on", "link")


def _set(obj: Any, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed(
            f"Unknown fields: {', '.join(unknown)}.",
            errors={name: ["This field cannot be set here."] for name in unknown},
        )
    for name, value in data.items():
        setattr(obj, name, "" if value is None and name in _TEXT else value)


_TEXT = {
    "definition",
    "data_source",
    "agreed_expectations",
    "comments",
    "link",
    "service_standards",
    "outcomes",
}


# ---------------------------------------------------------------- library and specification


@transaction.atomic
def definition_save(
    *,
    actor: Any,
    agency: Agency,
    data: Mapping[str, Any],
    definition: IndicatorDefinition | None = None,
) -> IndicatorDefinition:
    """Add an indicator definition to the agency's library, or change one."""
    require_perm(actor, "performance.manage_performance", agency, action="change this library")
    if definition is None:
        definition = IndicatorDefinition(agency=agency)
    elif definition.agency_id != agency.pk:
        raise ValidationFailed("This definition belongs to another agency's library.")
    _set(definition, data, DEFINITION_FIELDS)
    if (
        IndicatorDefinition.objects.filter(agency=agency, name=definition.name)
        .exclude(pk=definition.pk)
        .exists()
    ):
        raise ValidationFailed(
            f"The library already has an indicator named {definition.name!r}.",
            errors={"name": ["The library already has an indicator with this name."]},
        )
    save_audited(definition, actor=actor, reason="Indicator library")
    return definition


@transaction.atomic
def specification_save(
    *, actor: Any, contract: Contract, service_standards: str, outcomes: str
) -> Specification:
    """Set the contract's service standards and the outcomes for the people served."""
    require_perm(
        actor, "performance.manage_performance", contract, action="change this specification"
    )
    spec = Specification.objects.filter(contract=contract).first() or Specification(
        contract=contract
    )
    spec.service_standards = service_standards.strip()
    spec.outcomes = outcomes.strip()
    save_audited(spec, actor=actor, reason="Service specification")
    return spec


@transaction.atomic
def milestone_save(
    *,
    actor: Any,
    contract: Contract,
    title: str,
    due_on: date,
    achieved_on: date | None = None,
    milestone: Milestone | None = None,
) -> Milestone:
    require_perm(actor, "performance.manage_performance", contract, action="change milestones")
    milestone = milestone or Milestone(contract=contract)
    if milestone.contract_id != contract.pk:
        raise ValidationFailed("This milestone belongs to another contract.")
    milestone.title, milestone.due_on, milestone.achieved_on = title.strip(), due_on, achieved_on
    save_audited(milestone, actor=actor, reason="Milestone")
    return milestone


# ---------------------------------------------------------------- indicators


def _check_indicator(indicator: Indicator) -> None:
    errors: dict[str, list[str]] = {}
    if indicator.tolerance is not None and indicator.tolerance < 0:
        errors["tolerance"] = ["The tolerance is a distance from the target: zero or more."]
    weight = indicator.payment_weight
    if weight is not None and not Decimal(0) <= weight <= Decimal(100):
        errors["payment_weight"] = ["A share of the payment is a percentage from 0 to 100."]
    if indicator.unit == "percentage":
        for name in ("target", "baseline"):
            value = getattr(indicator, name)
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                errors[name] = ["A percentage is from 0 to 100."]
    if errors:
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise ValidationFailed(summary, errors=errors)


@transaction.atomic
def indicator_save(
    *,
    actor: Any,
    contract: Contract,
    data: Mapping[str, Any],
    indicator: Indicator | None = None,
    library: IndicatorDefinition | None = None,
) -> Indicator:
    """Add a performance indicator to the contract (from the agency's library when `library` is
    given: its definition is copied, `data` adds the target, tolerance and the rest), or change
    one. Changing a target is audited like any other change. The payment shares of a
    contract's indicators add up to 100% at most (seed 001: "a portion of the contractor's
    payment" is tied to them; more would pay out more than is at stake)."""
    require_perm(actor, "performance.manage_performance", contract, action="change indicators")
    if indicator is None:
        indicator = Indicator(contract=contract)
        if library is not None:
            if library.agency_id != contract.agency_id:
                raise ValidationFailed(
                    "That library definition belongs to another agency.",
                    errors={"library": ["Choose a definition from this agency's library."]},
                )
            indicator.library = library
            for name in DEFINITION_FIELDS:
                setattr(indicator, name, getattr(library, name))
    elif indicator.contract_id != contract.pk:
        raise ValidationFailed("This indicator belongs to another contract.")
    _set(indicator, data, INDICATOR_FIELDS)
    _check_indicator(indicator)
    if (
        Indicator.objects.filter(contract=contract, name=indicator.name)
        .exclude(pk=indicator.pk)
        .exists()
    ):
        raise ValidationFailed(
            f"This contract already has an indicator named {indicator.name!r}.",
            errors={"name": ["This contract already has an indicator with this name."]},
        )
    if indicator.payment_weight:
        others = Indicator.objects.filter(contract=contract).exclude(pk=indicator.pk)
        taken = sum((w for w in others.values_list("payment_weight", flat=True)), Decimal(0))
        if taken + indicator.payment_weight > 100:
            left = max(Decimal(100) - taken, Decimal(0))
            raise ValidationFailed(
                f"The contract's payment shares would add up to "
                f"{(taken + indicator.payment_weight).normalize():f}%: they add up to 100% at "
                f"most, and {left.normalize():f}% is left.",
                errors={
                    "payment_weight": [
                        f"At most {left.normalize():f}%: the other indicators already take "
                        f"{taken.normalize():f}%."
                    ]
                },
            )
    save_audited(indicator, actor=actor, reason="Performance indicator")
    return indicator


# ---------------------------------------------------------------- the evaluation plan


@transaction.atomic
def plan_save(*, actor: Any, contract: Contract, data: Mapping[str, Any]) -> Plan:
    """Set the contract's Performance Evaluation Plan (seed 001) and generate its timeline."""
    require_perm(actor, "performance.manage_performance", contract, action="change this plan")
    plan = Plan.objects.filter(contract=contract).first() or Plan(contract=contract)
    frequency = plan.return_frequency if plan.pk else None
    _set(plan, data, PLAN_FIELDS)
    if not (plan.desired_outcomes or "").strip():
        raise ValidationFailed(
            "desired_outcomes: the sponsor's desired outcomes are required.",
            errors={"desired_outcomes": ["The sponsor's desired outcomes are required."]},
        )
    save_audited(plan, actor=actor, reason="Performance Evaluation Plan")
    if frequency is not None and frequency != plan.return_frequency:
        returns_not_begun_drop(actor=actor, contract=contract)
    plan_generate(actor=actor, contract=contract)
    plan.refresh_from_db()
    return plan


#: the days the provider has to agree or comment on a proposed plan: seed 001 sets no time
PLAN_AGREEMENT_DAYS = 14
PLAN_AGREEMENT_KIND = "plan_agreement"


def _plan_content(plan: Plan) -> dict[str, Any]:
    indicators = Indicator.objects.filter(contract_id=plan.contract_id).order_by("category", "name")
    return {
        "desired_outcomes": plan.desired_outcomes,
        "agreed_expectations": plan.agreed_expectations,
        "return_frequency": plan.get_return_frequency_display(),
        "status_meetings": plan.status_meetings,
        "reports": plan.reports,
        "indicators": [
            {
                "name": i.name,
                "unit": i.get_unit_display(),
                "direction": i.get_direction_display(),
                "target": str(i.target),
                "tolerance": str(i.tolerance),
                "payment_weight": str(i.payment_weight),
            }
            for i in indicators
        ],
    }


@transaction.atomic
def plan_propose(*, actor: Any, contract: Contract, today: date) -> PlanVersion:
    """Propose the contract's Performance Evaluation Plan to the provider as a new version
    (seed 001: the outcomes, the expectations, the timeline of data, status meetings and
    reports, the indicators), fixed as it stands today. A version still awaiting the provider
    is replaced (its due date cancelled).

    Side effects: the provider's due date to agree or comment (`plan_agreement`, 14 days)
    opens; the provider's users are emailed; audit rows."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    require_perm(actor, "performance.manage_performance", contract, action="propose this plan")
    plan = Plan.objects.filter(contract=contract).first()
    if plan is None:
        raise TransitionNotAllowed("Write the plan before proposing it to the provider.")
    content = _plan_content(plan)
    if not content["indicators"]:
        raise TransitionNotAllowed(
            "Add the plan's performance indicators before proposing it.",
            errors={"indicators": ["The plan has no indicators yet."]},
        )
    latest = plan.versions.order_by("-number").first()
    if (
        latest is not None
        and latest.status == PlanVersionStatus.AGREED
        and latest.content == content
    ):
        raise TransitionNotAllowed(
            f"Version {latest.number} of the plan, as it stands, is already agreed."
        )
    number = (latest.number if latest else 0) + 1
    version = PlanVersion(
        plan=plan,
        contract=contract,
        number=number,
        content=content,
        proposed_on=today,
        proposed_by=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(version, actor=actor, reason=f"Plan version {number} proposed to the provider")
    for waiting in plan.versions.filter(status=PlanVersionStatus.PROPOSED).exclude(pk=version.pk):
        due_dates_cancel(
            kind=PLAN_AGREEMENT_KIND,
            actor=actor,
            reason=f"Version {number} of the plan replaced it",
            subject=waiting,
        )
    due_date_open(
        kind=PLAN_AGREEMENT_KIND,
        actor=actor,
        start=today,
        due_on=today + timedelta(days=PLAN_AGREEMENT_DAYS),
        contract=contract,
        subject=version,
    )
    from steward.parties.models import Role, User

    recipients = list(
        User.objects.filter(
            provider_id=contract.provider_id, role=Role.PROVIDER_USER, is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if recipients:
        send_after_commit(
            subject=f"Performance Evaluation Plan of {contract.number} for your agreement",
            body=(
                f"{contract.agency.name} proposes version {number} of the Performance "
                f"Evaluation Plan of contract {contract.number} ({contract.title}). Please "
                f"agree it or send your comments by "
                f"{today + timedelta(days=PLAN_AGREEMENT_DAYS):%-d %B %Y}.\n"
            ),
            to=recipients,
            link=reverse("performance:plan_version", args=[version.pk]),
        )
    return version


@transaction.atomic
def plan_respond(
    *, actor: Any, version: PlanVersion, agree: bool, comments: str, today: date
) -> PlanVersion:
    """The provider agrees the proposed version of the plan (it is fixed from then on) or
    returns it with comments (required then) for the agency to change and propose again
    (seed 001). Only the latest proposed version is answered.

    Side effects: the provider's `plan_agreement` due date is met, linked to the version;
    audit rows."""
    version = PlanVersion.objects.select_for_update().select_related("contract").get(pk=version.pk)
    require_perm(actor, "performance.respond_plan", version.contract, action="answer this plan")
    if version.status != PlanVersionStatus.PROPOSED:
        raise TransitionNotAllowed(
            f"Version {version.number} of the plan is already "
            f"{version.get_status_display().lower()}."
        )
    if PlanVersion.objects.filter(plan_id=version.plan_id, number__gt=version.number).exists():
        raise TransitionNotAllowed(
            f"A newer version of the plan replaced version {version.number}; answer that one."
        )
    if today < version.proposed_on:
        raise ValidationFailed("The answer cannot be dated before the plan was proposed.")
    text = (comments or "").strip()
    if not agree and not text:
        raise ValidationFailed(
            "Write your comments on the plan, or agree it.",
            errors={"comments": ["Say what should change."]},
        )
    version.status = PlanVersionStatus.AGREED if agree else PlanVersionStatus.COMMENTED
    version.responded_on = today
    version.responded_by = actor if getattr(actor, "pk", None) else None
    version.provider_comments = text
    # the model refuses any later save of an agreed version: it is fixed
    save_audited(
        version,
        actor=actor,
        reason=f"Version {version.number} agreed by the provider"
        if agree
        else f"Version {version.number} returned with the provider's comments",
    )
    due_dates_meet(kind=PLAN_AGREEMENT_KIND, actor=actor, on=today, met_by=version, subject=version)
    return version


@transaction.atomic
def returns_not_begun_drop(*, actor: Any, contract: Contract) -> int:
    """When the plan's return frequency changes: the returns for periods not yet begun (in the
    agency's calendar), not submitted and without evidence, are dropped and their due dates
    cancelled, so that `plan_generate` lays the new periods after the ones kept. Returns how
    many were dropped."""
    today = contract.agency.today()
    dropped = 0
    for ret in (
        Return.objects.select_for_update()
        .filter(contract=contract, submitted_on__isnull=True, period_start__gt=today)
        .exclude(pk__in=Evidence.objects.values("ret_id"))
    ):
        due_dates_cancel(
            kind="return", actor=actor, reason="The plan's return frequency changed", subject=ret
        )
        ret._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
        ret._change_reason = "The plan's return frequency changed"  # type: ignore[attr-defined]
        ret.delete()
        dropped += 1
    return dropped


@transaction.atomic
def plan_generate(*, actor: Any, contract: Contract) -> dict[str, int]:
    """The plan's timeline of data returns (seed 001) as due dates, from the deadline engine and
    the agency's pack: one return per reporting period, due `return_submission` after the
    period ends, each a due date of kind "return" about its Return, met when the return is
    submitted. Periods already there are kept (and new ones overlapping them skipped); only the
    missing ones are added. (The review
    meetings are the contract's review cycle, planned by the monitoring area when the contract
    is executed.) Returns the counts added. (Research, Assessment and Data staff may run it too:
    they keep the timeline of data.)"""
    require_perm(
        actor, "performance.manage_data_timeline", contract, action="change this plan's timeline"
    )
    plan = Plan.objects.filter(contract=contract).first()
    if plan is None:
        raise TransitionNotAllowed("Set the Performance Evaluation Plan first.")
    pack = contract.agency.pack
    rule = pack.parsed.deadline_rule("return_submission")
    calendar = agency_calendar(contract.agency)
    have = list(Return.objects.filter(contract=contract).values_list("period_start", "period_end"))
    returns = []
    for start, end in calc.periods(contract.start_date, contract.end_date, plan.return_frequency):
        # a period already there, or overlapping one kept (the frequency changed), is skipped
        if any(start <= kept_end and end >= kept_start for kept_start, kept_end in have):
            continue
        deadline = compute_deadline(start=end, rule=rule, calendar=calendar, pack=pack.slug)
        returns.append(
            Return(contract=contract, period_start=start, period_end=end, due_on=deadline.due)
        )
    returns = bulk_create_with_history(
        returns, Return, default_change_reason="Performance Evaluation Plan"
    )
    return_type = ContentType.objects.get_for_model(Return)
    dues = [
        DueDate(
            kind="return",
            agency=contract.agency,
            contract=contract,
            provider_id=contract.provider_id,
            subject_type=return_type,
            subject_id=ret.pk,
            rule_key=f"return:{ret.period_end.isoformat()}",
            label=f"Return for {ret.period_start:%-d %B %Y} to {ret.period_end:%-d %B %Y}",
            pack_slug=pack.slug,
            pack_version=pack.version,
            source=rule.source,
            start_date=ret.period_end,
            days=rule.days,
            day_kind=str(rule.kind),
            due_date=ret.due_on,
        )
        for ret in returns
    ]
    bulk_create_with_history(dues, DueDate, default_change_reason="Performance Evaluation Plan")
    plan.generated_on = timezone.localdate()
    save_audited(plan, actor=actor, reason="Timeline generated")
    return {"returns": len(returns), "due_dates": len(dues)}


# ---------------------------------------------------------------- returns


def _decimal(name: str, value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        errors.setdefault(name, []).append(f"{value!r} is not a number.")
        return None
    if not number.is_finite():
        errors.setdefault(name, []).append(f"{value!r} is not a number.")
        return None
    return number.quantize(Decimal("0.01"))


def _apply_return(
    ret: Return, values: Mapping[int, Any], volumes: Mapping[str, Any]
) -> tuple[dict[int, Decimal | None], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    indicators = {i.pk: i for i in Indicator.objects.filter(contract_id=ret.contract_id)}
    parsed: dict[int, Decimal | None] = {}
    for key, raw in values.items():
        if key not in indicators:
            errors.setdefault(f"values.{key}", []).append("Not an indicator of this contract.")
            continue
        number = _decimal(f"values.{key}", raw, errors)
        problem = None if number is None else calc.value_problem(indicators[key].unit, number)
        if problem:
            errors.setdefault(f"values.{key}", []).append(problem)
        parsed[key] = number
    unknown = sorted(set(volumes) - set(VOLUME_FIELDS))
    for name in unknown:
        errors.setdefault(name, []).append("This field cannot be set here.")
    for name in VOLUME_FIELDS:
        if name not in volumes:
            continue
        number = _decimal(name, volumes[name], errors)
        if number is not None and number < 0:
            errors.setdefault(name, []).append("Cannot be negative.")
        if number is not None and name in ("referrals", "starts", "leavers"):
            if number != number.to_integral_value():
                errors.setdefault(name, []).append("A whole number.")
            setattr(ret, name, int(number))
        else:
            setattr(ret, name, number)
    return parsed, errors


def _write_values(
    ret: Return, parsed: Mapping[int, Decimal | None], actor: Any, reason: str
) -> None:
    existing = {v.indicator_id: v for v in IndicatorValue.objects.filter(ret=ret)}
    for indicator_id, number in parsed.items():
        old = existing.get(indicator_id)
        if number is None:
            if old is not None:
                old._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
                old._change_reason = reason  # type: ignore[attr-defined]
                old.delete()
            continue
        if old is None:
            save_audited(
                IndicatorValue(ret=ret, indicator_id=indicator_id, value=number),
                actor=actor,
                reason=reason,
            )
        elif old.value != number:
            old.value = number
            save_audited(old, actor=actor, reason=reason)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise ValidationFailed(summary, errors=errors)


@transaction.atomic
def return_submit(
    *,
    actor: Any,
    ret: Return,
    values: Mapping[int, Any],
    volumes: Mapping[str, Any] | None = None,
    on: date,
) -> Return:
    """Submit the return of one period: indicator values (by indicator id; blank means no data),
    volumes and costs. A return is submitted once, from the last day of its period; after that
    it changes only by a correction with a reason. Marks the period's due date done."""
    require_perm(actor, "performance.submit_return", ret.contract, action="submit this return")
    ret = Return.objects.select_for_update().get(pk=ret.pk)
    if ret.submitted_on is not None:
        raise TransitionNotAllowed(
            f"This return was submitted on {ret.submitted_on:%-d %B %Y}; change it with a "
            "correction and a reason."
        )
    if on < ret.period_end:
        raise TransitionNotAllowed(
            f"This period ends on {ret.period_end:%-d %B %Y}; its return can be submitted from "
            "then.",
            errors={"submitted_on": ["The period has not ended yet."]},
        )
    parsed, errors = _apply_return(ret, values, volumes or {})
    _raise(errors)
    ret.submitted_on = on
    ret.submitted_by = actor if getattr(actor, "pk", None) else None
    reason = "Return submitted" + (" late" if on > ret.due_on else "")
    save_audited(ret, actor=actor, reason=reason)
    _write_values(ret, parsed, actor, reason)
    due_dates_meet(
        kind="return",
        contract=ret.contract,
        rule_key=f"return:{ret.period_end.isoformat()}",
        met_by=ret,
        on=on,
        actor=actor,
    )
    return ret


@transaction.atomic
def return_correct(
    *,
    actor: Any,
    ret: Return,
    values: Mapping[int, Any],
    volumes: Mapping[str, Any] | None = None,
    reason: str,
) -> Return:
    """Correct a submitted return. The reason is required and kept on every history row."""
    require_perm(actor, "performance.submit_return", ret.contract, action="correct this return")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "reason: a correction needs a reason.",
            errors={"reason": ["Say why the return is corrected."]},
        )
    ret = Return.objects.select_for_update().get(pk=ret.pk)
    if ret.submitted_on is None:
        raise TransitionNotAllowed("This return has not been submitted yet; submit it first.")
    parsed, errors = _apply_return(ret, values, volumes or {})
    _raise(errors)
    text = f"Correction: {reason}"
    save_audited(ret, actor=actor, reason=text)
    _write_values(ret, parsed, actor, text)
    return ret


@transaction.atomic
def evidence_add(*, actor: Any, ret: Return, upload: UploadedFile, title: str = "") -> Evidence:
    """Keep a file with a return, after checking its type (extension and signature) and size."""
    require_perm(actor, "performance.submit_return", ret.contract, action="add evidence here")
    checked = check_uploaded_file(upload, fallback_name="evidence")
    safe_name = checked.name
    evidence = Evidence(
        ret=ret,
        title=title.strip() or safe_name,
        original_name=safe_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    evidence.file.save(safe_name, upload, save=False)
    try:
        save_audited(evidence, actor=actor, reason=f"Evidence {safe_name}")
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


# ---------------------------------------------------------------- other evidence (seed 003)


@transaction.atomic
def survey_add(*, actor: Any, contract: Contract, data: Mapping[str, Any]) -> Survey:
    """Record a satisfaction survey round of service users, provider staff or agency staff."""
    require_perm(actor, "performance.manage_performance", contract, action="record surveys")
    survey = Survey(contract=contract)
    _set(survey, data, SURVEY_FIELDS)
    if Survey.objects.filter(
        contract=contract, group=survey.group, round_label=survey.round_label
    ).exists():
        raise ValidationFailed(
            "This survey round is already recorded for that group.",
            errors={"round_label": ["Already recorded for this group."]},
        )
    save_audited(survey, actor=actor, reason="Satisfaction survey")
    return survey


@transaction.atomic
def inspection_add(*, actor: Any, provider: Provider, data: Mapping[str, Any]) -> InspectionRating:
    """Record an external inspection report of a provider (body, date, rating, link), with who
    recorded it and for which agency. Only the oversight body or an agency that contracts with
    the provider may (issue 19 point 2): the rating feeds every agency's risk score."""
    require_perm(actor, "performance.record_inspection", provider, action="record inspections")
    inspection = InspectionRating(
        provider=provider, recorded_by=actor, recorded_by_agency_id=actor.agency_id
    )
    _set(inspection, data, INSPECTION_FIELDS)
    save_audited(inspection, actor=actor, reason="Inspection report recorded")
    return inspection
