"""The register as Open Contracting Data Standard 1.1.5 releases, in plain Python (no Django):
plain values in, JSON-ready dicts out (issue 18; docs/register-import-export.md, "Open data
out (OCDS)").

One release per contract (ocid = the agency's prefix + the contract number) with the buyer and
the supplier as parties, an award, and the contract with its period, value, amendments,
documents and `implementation` (transactions from payments, milestones). Contract performance
uses two OCDS extensions — metrics (targets on the contract, actuals in `implementation`) and
performance failures — and, on each actual, the UK `measureClassification` of a Contract
Performance Notice (Procurement Act 2023): a KPI rated good, approaching target, requires
improvement or inadequate (`kpi_rating`).

Only what a public register publishes goes in: never notes, concerns, evaluations, return
notes, the people (contract managers, provider contacts, emails, phones), documents kept
internal, or a termination's reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from steward.performance.calc import MET, MISSED, NO_DATA, WITHIN_TOLERANCE, achievement

OCDS_VERSION = "1.1"
EXTENSIONS = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/"
    "master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_performance_failures_extension/master/extension.json",
    # the UK extension: `measureClassification` on observations, more performance failure fields
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
)

# The UK extension's measureClassification ids for an actual (met, slightlyBelow, below,
# significantlyBelow, other), for the four ratings of a Contract Performance Notice.
GOOD = "met"
APPROACHING_TARGET = "slightlyBelow"
REQUIRES_IMPROVEMENT = "below"
INADEQUATE = "significantlyBelow"
KPI_LABELS = {
    GOOD: "Good",
    APPROACHING_TARGET: "Approaching target",
    REQUIRES_IMPROVEMENT: "Requires improvement",
    INADEQUATE: "Inadequate",
}
#: With no tolerance set, a miss by up to this share of the target requires improvement.
DEFAULT_BAND = Decimal("0.10")

CONTRACT_STATUS = {  # Steward's status → OCDS contractStatus
    "executed": "pending",
    "active": "active",
    "completed": "terminated",
    "expired": "terminated",
    "terminated": "terminated",
}
PROCUREMENT_METHOD = {  # → OCDS method (the details keep Steward's words)
    "tendered": "open",
    "under_threshold": "limited",
    "best_value_exemption": "direct",
    "sole_source": "direct",
    "quotation": "limited",
    "direct_award": "direct",
    "framework": "selective",
}
DOCUMENT_TYPE = {
    "master_contract": "contractSigned",
    "amendment": "contractAnnexe",
    "attachment": "contractAnnexe",
}
UNIT_NAMES = {
    "count": "count",
    "percentage": "percent",
    "currency": "currency",
    "days": "days",
    "rating": "rating",
}


def default_prefix(agency_slug: str) -> str:
    """The ocid prefix of an agency that has not set its own (an unregistered one)."""
    return f"ocds-steward-{agency_slug}"


def kpi_rating(
    actual: Decimal | None, *, target: Decimal, tolerance: Decimal, higher_is_better: bool
) -> str | None:
    """The Contract Performance Notice rating of one KPI value (None without a value).

    Good: on the target or better. Approaching target: within the tolerance. Requires
    improvement: missed, by no more than twice the band (the tolerance, or 10% of the target
    when none is set). Inadequate: missed by more than that."""
    status = achievement(
        actual, target=target, tolerance=tolerance, higher_is_better=higher_is_better
    )
    if status == NO_DATA or actual is None:
        return None
    if status == MET:
        return GOOD
    if status == WITHIN_TOLERANCE:
        return APPROACHING_TARGET
    assert status == MISSED
    shortfall = target - actual if higher_is_better else actual - target
    band = tolerance if tolerance > 0 else abs(target) * DEFAULT_BAND
    return REQUIRES_IMPROVEMENT if shortfall <= 2 * band else INADEQUATE


# ---------------------------------------------------------------- what goes in


@dataclass(frozen=True)
class Org:
    id: str
    name: str
    identifiers: tuple[tuple[str, str], ...] = ()  # (scheme, id), the first is the main one
    locality: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True)
class AmendmentIn:
    sequence: int
    reference: str
    effective_on: date
    reason: str
    previous_end_date: date
    new_end_date: date
    previous_obligation: Decimal
    new_obligation: Decimal


@dataclass(frozen=True)
class DocumentIn:
    id: int
    kind: str
    title: str
    published: datetime
    content_type: str


@dataclass(frozen=True)
class PaymentIn:
    id: int
    paid_on: date
    amount: Decimal
    period_start: date
    period_end: date


@dataclass(frozen=True)
class MilestoneIn:
    id: int
    title: str
    due_on: date
    achieved_on: date | None


@dataclass(frozen=True)
class ValueIn:
    period_start: date
    period_end: date
    value: Decimal


@dataclass(frozen=True)
class IndicatorIn:
    id: int
    name: str
    definition: str
    unit: str
    target: Decimal
    tolerance: Decimal
    higher_is_better: bool
    values: tuple[ValueIn, ...] = ()


@dataclass(frozen=True)
class ContractIn:
    number: str
    title: str
    description: str
    status: str
    contract_type_label: str
    service_type: str
    procurement_method: str
    procurement_method_label: str
    start_date: date
    end_date: date
    executed_on: date | None
    maximum_obligation: Decimal
    currency: str
    updated_at: datetime
    buyer: Org
    supplier: Org
    amendments: Sequence[AmendmentIn] = ()
    documents: Sequence[DocumentIn] = ()
    payments: Sequence[PaymentIn] = ()
    milestones: Sequence[MilestoneIn] = ()
    indicators: Sequence[IndicatorIn] = field(default_factory=tuple)


# ---------------------------------------------------------------- what comes out


def _start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _end(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: Decimal, currency: str) -> dict[str, object]:
    # at most 14 digits: a float keeps every one of them
    return {"amount": float(amount), "currency": currency}


def _party(org: Org, roles: list[str]) -> dict[str, object]:
    party: dict[str, object] = {"id": org.id, "name": org.name, "roles": roles}
    if org.identifiers:
        (scheme, ident), *more = org.identifiers
        party["identifier"] = {"scheme": scheme, "id": ident, "legalName": org.name}
        if more:
            party["additionalIdentifiers"] = [{"scheme": s, "id": i} for s, i in more]
    address = {
        k: v
        for k, v in (
            ("locality", org.locality),
            ("region", org.region),
            ("postalCode", org.postal_code),
            ("countryName", org.country),
        )
        if v
    }
    if address:
        party["address"] = address
    return party


def _original_terms(c: ContractIn) -> tuple[date, Decimal]:
    """The end date and obligation the contract was awarded with (before any amendment)."""
    if not c.amendments:
        return c.end_date, c.maximum_obligation
    first = min(c.amendments, key=lambda a: (a.effective_on, a.sequence))
    return first.previous_end_date, first.previous_obligation


def _amendment(a: AmendmentIn, currency: str) -> dict[str, object]:
    changes = []
    if a.new_end_date != a.previous_end_date:
        changes.append(f"end date {a.previous_end_date.isoformat()} → {a.new_end_date.isoformat()}")
    if a.new_obligation != a.previous_obligation:
        changes.append(
            f"maximum value {a.previous_obligation} → {a.new_obligation} {currency}".strip()
        )
    return {
        "id": a.reference or str(a.sequence),
        "date": _start(a.effective_on),
        "rationale": a.reason,
        "description": "; ".join(changes) or "No change of term or value",
    }


def _document(d: DocumentIn) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": str(d.id),
        "title": d.title,
        "datePublished": _stamp(d.published),
        "format": d.content_type,
    }
    if d.kind in DOCUMENT_TYPE:
        doc["documentType"] = DOCUMENT_TYPE[d.kind]
    return doc


def _observation_unit(indicator: IndicatorIn) -> dict[str, object]:
    return {"name": UNIT_NAMES.get(indicator.unit, indicator.unit)}


def _target_metric(i: IndicatorIn, currency: str) -> dict[str, object]:
    target: dict[str, object] = {"id": f"{i.id}-target", "notes": "Target"}
    if i.unit == "currency":
        target["value"] = _money(i.target, currency)
    else:
        target["measure"] = float(i.target)
        target["unit"] = _observation_unit(i)
    metric: dict[str, object] = {"id": str(i.id), "title": i.name, "observations": [target]}
    if i.definition:
        metric["description"] = i.definition
    return metric


def _actual_metric(i: IndicatorIn, currency: str) -> dict[str, object] | None:
    observations = []
    for v in sorted(i.values, key=lambda v: v.period_start):
        rating = kpi_rating(
            v.value, target=i.target, tolerance=i.tolerance, higher_is_better=i.higher_is_better
        )
        obs: dict[str, object] = {
            "id": f"{i.id}-{v.period_start.isoformat()}",
            "period": {"startDate": _start(v.period_start), "endDate": _end(v.period_end)},
        }
        if i.unit == "currency":
            obs["value"] = _money(v.value, currency)
        else:
            obs["measure"] = float(v.value)
            obs["unit"] = _observation_unit(i)
        if rating:
            obs["measureClassification"] = {"id": rating, "description": KPI_LABELS[rating]}
            obs["notes"] = f"{KPI_LABELS[rating]} (target {i.target})"
        observations.append(obs)
    if not observations:
        return None
    return {"id": str(i.id), "title": i.name, "observations": observations}


def _failures(i: IndicatorIn, supplier: dict[str, str]) -> dict[str, object] | None:
    """The periods an indicator was missed (requires improvement or inadequate), as one
    performance failure of its category: the first to the last such period, and how many."""
    missed = [
        v
        for v in sorted(i.values, key=lambda v: v.period_start)
        if kpi_rating(
            v.value, target=i.target, tolerance=i.tolerance, higher_is_better=i.higher_is_better
        )
        in (REQUIRES_IMPROVEMENT, INADEQUATE)
    ]
    if not missed:
        return None
    return {
        "id": str(i.id),
        "period": {
            "startDate": _start(missed[0].period_start),
            "endDate": _end(missed[-1].period_end),
        },
        "category": f"{i.name}: target missed",
        "events": len(missed),
    }


def _milestone(m: MilestoneIn, today: date) -> dict[str, object]:
    status = "met" if m.achieved_on else ("notMet" if m.due_on < today else "scheduled")
    milestone: dict[str, object] = {
        "id": str(m.id),
        "title": m.title,
        "type": "delivery",
        "dueDate": _end(m.due_on),
        "status": status,
    }
    if m.achieved_on is not None:
        milestone["dateMet"] = _start(m.achieved_on)
    return milestone


def release(c: ContractIn, *, prefix: str, today: date) -> dict[str, object]:
    """The OCDS release of one contract (not a draft) as it stands on `today`."""
    ocid = f"{prefix}-{c.number}"
    award_id = f"{ocid}-award"
    original_end, original_value = _original_terms(c)
    buyer_ref = {"id": c.buyer.id, "name": c.buyer.name}
    supplier_ref = {"id": c.supplier.id, "name": c.supplier.name}
    implementation: dict[str, object] = {}
    if c.payments:
        implementation["transactions"] = [
            {
                "id": str(p.id),
                "source": "Payment of the invoice for "
                f"{p.period_start.isoformat()} to {p.period_end.isoformat()}",
                "date": _start(p.paid_on),
                "value": _money(p.amount, c.currency),
                "payer": buyer_ref,
                "payee": supplier_ref,
            }
            for p in sorted(c.payments, key=lambda p: (p.paid_on, p.id))
        ]
    if c.milestones:
        implementation["milestones"] = [_milestone(m, today) for m in c.milestones]
    actuals = [m for i in c.indicators if (m := _actual_metric(i, c.currency))]
    if actuals:
        implementation["metrics"] = actuals
    failures = [f for i in c.indicators if (f := _failures(i, supplier_ref))]
    if failures:
        implementation["performanceFailures"] = failures
    contract: dict[str, object] = {
        "id": f"{ocid}-contract",
        "awardID": award_id,
        "title": c.title,
        "status": CONTRACT_STATUS.get(c.status, "pending"),
        "period": {"startDate": _start(c.start_date), "endDate": _end(c.end_date)},
        "value": _money(c.maximum_obligation, c.currency),
    }
    if c.description:
        contract["description"] = c.description
    if c.executed_on:
        contract["dateSigned"] = _start(c.executed_on)
    if c.amendments:
        contract["amendments"] = [
            _amendment(a, c.currency)
            for a in sorted(c.amendments, key=lambda a: (a.effective_on, a.sequence))
        ]
    if c.documents:
        contract["documents"] = [_document(d) for d in c.documents]
    if c.indicators:
        contract["metrics"] = [_target_metric(i, c.currency) for i in c.indicators]
    if implementation:
        contract["implementation"] = implementation
    tags = ["award", "contract"]
    if c.amendments:
        tags.append("contractAmendment")
    if implementation:
        tags.append("implementation")
    if contract["status"] == "terminated":
        tags.append("contractTermination")
    tender: dict[str, object] = {
        "id": f"{ocid}-tender",
        "title": c.title,
        "mainProcurementCategory": "services",
        "procurementMethodDetails": c.procurement_method_label,
    }
    if c.procurement_method in PROCUREMENT_METHOD:
        tender["procurementMethod"] = PROCUREMENT_METHOD[c.procurement_method]
    award: dict[str, object] = {
        "id": award_id,
        "title": c.title,
        "status": "active",
        "value": _money(original_value, c.currency),
        "suppliers": [supplier_ref],
        "contractPeriod": {"startDate": _start(c.start_date), "endDate": _end(original_end)},
    }
    if c.executed_on:
        award["date"] = _start(c.executed_on)
    classification = ", ".join(x for x in (c.contract_type_label, c.service_type) if x)
    if classification:
        award["description"] = classification
    return {
        "ocid": ocid,
        "id": f"{ocid}-{c.updated_at.strftime('%Y%m%dT%H%M%S')}",
        "date": _stamp(c.updated_at),
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "parties": [_party(c.buyer, ["buyer", "payer"]), _party(c.supplier, ["supplier", "payee"])],
        "buyer": buyer_ref,
        "tender": tender,
        "awards": [award],
        "contracts": [contract],
    }


def record(rel: dict[str, object]) -> dict[str, object]:
    """A record of one contract: its release, and the compiled release (the same, tagged)."""
    return {"ocid": rel["ocid"], "releases": [rel], "compiledRelease": {**rel, "tag": ["compiled"]}}


def package_head(
    *, package: str, uri: str, published: datetime, publisher: str
) -> dict[str, object]:
    """A release or record package's metadata (its releases or records come after)."""
    if package not in ("release", "record"):
        raise ValueError(f"unknown package {package!r}")
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _stamp(published),
        "publisher": {"name": publisher},
        "extensions": list(EXTENSIONS),
    }
