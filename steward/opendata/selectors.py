"""Reads for the OCDS export (issue 18): one agency's register, set-based and streamed.

The contracts (never drafts) are read 500 at a time, each batch with one query per kind of
related record (amendments, documents released to providers, paid payments, milestones,
indicators, their submitted values), so the number of queries grows with the number of
batches only, and the package is written as it is read. The mapping is `ocds.py`."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from steward.contracts.models import Amendment, Contract, ContractDocument, ContractStatus
from steward.core.errors import NotFoundError, ValidationFailed
from steward.core.services import require_perm
from steward.opendata import ocds
from steward.parties.models import Agency, AgencyKind, Provider, Role
from steward.performance.models import Indicator, IndicatorValue, Milestone
from steward.pricing.models import Payment

BATCH = 500
PACKAGES = ("release", "record")


def agency_for_export(*, actor: Any, agency_slug: str) -> Agency:
    """The agency whose register `actor` may export: agency staff their own (the default),
    oversight officers and administrators any (they must name it). Provider users may not."""
    require_perm(actor, "reports.view_register_reports", action="export open contracting data")
    agencies = Agency.objects.exclude(kind=AgencyKind.OVERSIGHT_BODY)
    if actor.role not in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
        agencies = agencies.filter(pk=actor.agency_id)
        agency_slug = agency_slug or getattr(actor.agency, "slug", "")
    if not agency_slug:
        raise ValidationFailed(
            "Choose the agency whose register to export.",
            errors={"agency": ["An OCDS package is one agency's: give its slug."]},
        )
    agency = agencies.filter(slug=agency_slug).first()
    if agency is None:
        raise NotFoundError(f"No agency {agency_slug!r} that you may export.")
    return agency


def ocid_prefix(agency: Agency) -> str:
    """The agency's ocid prefix: its own setting, else `ocds-steward-<slug>`."""
    return agency.ocid_prefix.strip() or ocds.default_prefix(agency.slug)


def _org_for_agency(agency: Agency) -> ocds.Org:
    return ocds.Org(id=f"buyer-{agency.slug}", name=agency.name)


def provider_identifiers(provider: Provider) -> tuple[tuple[str, str], ...]:
    """The provider's public identifiers, in org-id.guide schemes: a UK company number
    (GB-COH), a charity number (GB-SC in Scotland, GB-CHC otherwise), and a US EIN (US-EIN)
    only for a not-for-profit provider, whose EIN the IRS publishes."""
    ids: list[tuple[str, str]] = []
    if provider.company_number and provider.country == "GB":
        ids.append(("GB-COH", provider.company_number.strip()))
    if provider.charity_number:
        number = provider.charity_number.strip().upper()
        ids.append(("GB-SC" if number.startswith("SC") else "GB-CHC", number))
    if provider.tax_id and not provider.for_profit and provider.country == "US":
        ids.append(("US-EIN", provider.tax_id.replace("-", "").strip()))
    return tuple(ids)


def _org_for_provider(provider: Provider) -> ocds.Org:
    identifiers = provider_identifiers(provider)
    org_id = (
        f"{identifiers[0][0]}-{identifiers[0][1]}" if identifiers else f"supplier-{provider.slug}"
    )
    return ocds.Org(
        id=org_id,
        name=provider.legal_name,
        identifiers=identifiers,
        locality=provider.city,
        region=provider.region,
        postal_code=provider.postcode,
        country=provider.country,
    )


def _by_contract(rows: Any, key: str = "contract_id") -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        out[getattr(row, key)].append(row)
    return out


def _batch(contracts: list[Contract], buyer: ocds.Org) -> Iterator[ocds.ContractIn]:
    ids = [c.pk for c in contracts]
    amendments = _by_contract(Amendment.objects.filter(contract_id__in=ids).order_by("sequence"))
    documents = _by_contract(
        ContractDocument.objects.filter(contract_id__in=ids, released_to_provider=True).order_by(
            "created_at", "pk"
        )
    )
    payments = _by_contract(
        Payment.objects.filter(contract_id__in=ids, paid_on__isnull=False).order_by("paid_on", "pk")
    )
    milestones = _by_contract(
        Milestone.objects.filter(contract_id__in=ids).order_by("due_on", "pk")
    )
    indicators = _by_contract(Indicator.objects.filter(contract_id__in=ids).order_by("name", "pk"))
    values: dict[int, list[ocds.ValueIn]] = defaultdict(list)
    for indicator_id, start, end, value in (
        IndicatorValue.objects.filter(
            indicator__contract_id__in=ids, ret__submitted_on__isnull=False
        )
        .order_by("ret__period_start")
        .values_list("indicator_id", "ret__period_start", "ret__period_end", "value")
    ):
        values[indicator_id].append(ocds.ValueIn(start, end, value))
    suppliers: dict[int, ocds.Org] = {}
    for c in contracts:
        supplier = suppliers.get(c.provider_id) or _org_for_provider(c.provider)
        suppliers[c.provider_id] = supplier
        yield ocds.ContractIn(
            number=c.number,
            title=c.title,
            description=c.description,
            status=c.status,
            contract_type_label=c.get_contract_type_display(),
            service_type=c.service_type,
            procurement_method=c.procurement_method,
            procurement_method_label=c.get_procurement_method_display(),
            start_date=c.start_date,
            end_date=c.end_date,
            executed_on=c.executed_on,
            maximum_obligation=c.maximum_obligation,
            currency=c.currency,
            updated_at=c.updated_at,
            buyer=buyer,
            supplier=supplier,
            amendments=[
                ocds.AmendmentIn(
                    a.sequence,
                    a.reference,
                    a.effective_on,
                    a.reason,
                    a.previous_end_date,
                    a.new_end_date,
                    a.previous_maximum_obligation,
                    a.new_maximum_obligation,
                )
                for a in amendments[c.pk]
            ],
            documents=[
                ocds.DocumentIn(d.pk, d.kind, d.title, d.created_at, d.content_type)
                for d in documents[c.pk]
            ],
            payments=[
                ocds.PaymentIn(p.pk, p.paid_on, p.amount, p.period_start, p.period_end)
                for p in payments[c.pk]
            ],
            milestones=[
                ocds.MilestoneIn(m.pk, m.title, m.due_on, m.achieved_on) for m in milestones[c.pk]
            ],
            indicators=[
                ocds.IndicatorIn(
                    id=i.pk,
                    name=i.name,
                    definition=i.definition,
                    unit=i.unit,
                    target=i.target,
                    tolerance=i.tolerance,
                    higher_is_better=i.higher_is_better,
                    values=tuple(values[i.pk]),
                )
                for i in indicators[c.pk]
            ],
        )


def releases(agency: Agency, *, today: date) -> Iterator[dict[str, object]]:
    """Every release of `agency`'s register (drafts left out), by contract number, streamed."""
    prefix = ocid_prefix(agency)
    buyer = _org_for_agency(agency)
    ids = list(
        Contract.objects.filter(agency=agency)
        .exclude(status=ContractStatus.DRAFT)
        .order_by("number", "pk")
        .values_list("pk", flat=True)
    )
    for first in range(0, len(ids), BATCH):
        chunk = ids[first : first + BATCH]
        contracts = list(
            Contract.objects.filter(pk__in=chunk)
            .select_related("provider")
            .order_by("number", "pk")
        )
        for contract in _batch(contracts, buyer):
            yield ocds.release(contract, prefix=prefix, today=today)


def package_uri(agency: Agency, package: str) -> str:
    return (
        f"{settings.STEWARD_SITE_URL}/api/v1/opendata/ocds?agency={agency.slug}&package={package}"
    )


def package_chunks(
    agency: Agency, *, package: str, today: date | None = None, now: datetime | None = None
) -> Iterator[str]:
    """The release or record package of `agency`'s register as JSON text, piece by piece."""
    if package not in PACKAGES:
        raise ValidationFailed(
            "Choose a release or a record package.",
            errors={"package": ["'release' or 'record'."]},
        )
    now = now or timezone.now()
    today = today or agency.today(now)
    head = ocds.package_head(
        package=package, uri=package_uri(agency, package), published=now, publisher=agency.name
    )
    key = "releases" if package == "release" else "records"
    yield json.dumps(head, ensure_ascii=False)[:-1] + f', "{key}": ['
    for n, rel in enumerate(releases(agency, today=today)):
        item = rel if package == "release" else ocds.record(rel)
        yield ("," if n else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n]}\n"


def write_package_for(agency_slug: str, package: str, out: Any) -> int:
    """`steward export-contracts --format ocds`: write the package to `out`; the number of
    contracts written."""
    agency = Agency.objects.get(slug=agency_slug)
    count = -1
    for chunk in package_chunks(agency, package=package):
        out.write(chunk)
        count += 1
    return max(count - 1, 0)
