"""factory_boy factories for tests, the demo data and the benchmark."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from steward.contracts.models import (
    CompensationStructure,
    Contract,
    ContractStatus,
    ContractType,
    ProcurementMethod,
)
from steward.core.models import PolicyPack
from steward.parties.models import Agency, AgencyKind, Provider, Role, User

PASSWORD = "correct-horse-battery-staple"


def shipped_pack(slug: str = "connecticut-opm") -> PolicyPack:
    """Return the shipped pack `slug`, loading the shipped packs first if needed."""
    pack = PolicyPack.objects.filter(slug=slug).first()
    if pack is None:
        from steward.core.services import policy_packs_load_shipped

        policy_packs_load_shipped()
        pack = PolicyPack.objects.get(slug=slug)
    return pack


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Department of Services {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = AgencyKind.STATE_AGENCY
    pack = factory.LazyFunction(lambda: shipped_pack("connecticut-opm"))


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider

    legal_name = factory.Sequence(lambda n: f"Community Care Partners {n}, Inc.")
    slug = factory.Sequence(lambda n: f"provider-{n}")
    tax_id = factory.Sequence(lambda n: f"06-{1000000 + n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.CONTRACT_MANAGER
    agency = factory.LazyAttribute(
        lambda u: (
            AgencyFactory() if u.role not in (Role.PROVIDER_USER, Role.ADMINISTRATOR) else None
        )
    )
    provider = factory.LazyAttribute(
        lambda u: ProviderFactory() if u.role == Role.PROVIDER_USER else None
    )
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract

    agency = factory.SubFactory(AgencyFactory)
    provider = factory.SubFactory(ProviderFactory)
    number = factory.Sequence(lambda n: f"C-{20260000 + n}")
    title = factory.Sequence(lambda n: f"Family support services {n}")
    contract_type = ContractType.POS
    service_type = "Family support"
    start_date = date(2026, 1, 1)
    end_date = date(2026, 12, 31)
    maximum_obligation = Decimal("250000.00")
    currency = "USD"
    compensation_structure = CompensationStructure.UNIT_RATE
    procurement_method = ProcurementMethod.TENDERED
    status = ContractStatus.DRAFT
    executed_on = factory.LazyAttribute(
        lambda c: None if c.status == ContractStatus.DRAFT else c.start_date
    )
    completed_on = factory.LazyAttribute(
        lambda c: c.end_date if c.status == ContractStatus.COMPLETED else None
    )
    terminated_on = factory.LazyAttribute(
        lambda c: c.end_date if c.status == ContractStatus.TERMINATED else None
    )
    termination_reason = factory.LazyAttribute(
        lambda c: "Provider ceased trading" if c.status == ContractStatus.TERMINATED else ""
    )
