"""The register as open contracting data (issue 18 point 7): OCDS 1.1.5 release and record
packages per agency, validated offline against the 1.1.5 schemas; contract performance (KPIs
rated as in a Contract Performance Notice); nothing agency-internal; the ocid prefix setting;
the command line, the API and the register page."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from steward.contracts.models import Contract, ContractDocument
from steward.core.tests.api_support import call, session_client
from steward.opendata import ocds
from steward.opendata.selectors import package_chunks, provider_identifiers
from steward.opendata.tests.conftest import assert_valid
from steward.parties.models import Agency, ProviderContact, Role, User
from steward.testing.factories import ContractFactory, ProviderFactory
from steward.tests.pages import signed_in

pytestmark = pytest.mark.django_db

DEMO_DAY = date(2026, 3, 10)


def package(agency, kind: str = "release") -> dict:
    return json.loads("".join(package_chunks(agency, package=kind)))


# ---------------------------------------------------------------- the rules (no database)


@pytest.mark.parametrize(
    ("actual", "tolerance", "higher", "expected"),
    [
        (Decimal("90"), Decimal("5"), True, ocds.GOOD),
        (Decimal("85"), Decimal("5"), True, ocds.APPROACHING_TARGET),  # the bound is within
        (Decimal("84.99"), Decimal("5"), True, ocds.REQUIRES_IMPROVEMENT),
        (Decimal("80"), Decimal("5"), True, ocds.REQUIRES_IMPROVEMENT),  # twice the band
        (Decimal("79.99"), Decimal("5"), True, ocds.INADEQUATE),
        (Decimal("72"), Decimal("0"), True, ocds.REQUIRES_IMPROVEMENT),  # 10% band: 20% off
        (Decimal("71"), Decimal("0"), True, ocds.INADEQUATE),
        (Decimal("95"), Decimal("5"), False, ocds.APPROACHING_TARGET),  # lower is better
        (Decimal("101"), Decimal("5"), False, ocds.INADEQUATE),
        (None, Decimal("5"), True, None),
    ],
)
def test_kpi_rating_of_a_contract_performance_notice(actual, tolerance, higher, expected):
    """Issue 18 (Procurement Act 2023 CPN; seed 003 actual against target): target 90."""
    rating = ocds.kpi_rating(
        actual, target=Decimal("90"), tolerance=tolerance, higher_is_better=higher
    )
    assert rating == expected


def test_provider_identifiers_are_the_public_ones(db):
    """Issue 18: company and charity numbers; a US EIN only for a not-for-profit."""
    uk = ProviderFactory(country="GB", company_number="01234567", charity_number="SC012345")
    assert provider_identifiers(uk) == (("GB-COH", "01234567"), ("GB-SC", "SC012345"))
    charity = ProviderFactory(country="US", tax_id="12-3456789", for_profit=False)
    assert provider_identifiers(charity) == (("US-EIN", "123456789"),)
    company = ProviderFactory(country="US", tax_id="98-7654321", for_profit=True)
    assert provider_identifiers(company) == ()


# ---------------------------------------------------------------- the demo data


@pytest.fixture
def demo():
    call_command("demo", "--today", DEMO_DAY.isoformat(), stdout=StringIO())
    return Agency.objects.exclude(kind="oversight_body").order_by("slug")


def _strings(node, out):
    if isinstance(node, dict):
        for value in node.values():
            _strings(value, out)
    elif isinstance(node, list):
        for value in node:
            _strings(value, out)
    elif isinstance(node, str):
        out.append(node)
    return out


def _internal_texts() -> set[str]:
    """Every agency-internal text in the database that is long enough to recognise."""
    from django.apps import apps
    from django.db import models

    texts: set[str] = set()
    for label in ("risk", "evaluations", "monitoring"):
        for model in apps.get_app_config(label).get_models():
            fields = [f.name for f in model._meta.get_fields() if isinstance(f, models.TextField)]
            for field in fields:
                texts.update(model.objects.exclude(**{field: ""}).values_list(field, flat=True))
    texts.update(Contract.objects.exclude(notes="").values_list("notes", flat=True))
    texts.update(
        Contract.objects.exclude(termination_reason="").values_list("termination_reason", flat=True)
    )
    texts.update(
        ContractDocument.objects.filter(released_to_provider=False).values_list("title", flat=True)
    )
    from steward.performance.models import Return

    texts.update(Return.objects.exclude(notes="").values_list("notes", flat=True))
    texts.update(User.objects.exclude(email="").values_list("email", flat=True))
    texts.update(ProviderContact.objects.values_list("name", flat=True))
    texts.update(ProviderContact.objects.exclude(email="").values_list("email", flat=True))
    return {t for t in texts if t and len(t.strip()) >= 8}


def test_demo_export_validates_and_carries_performance_and_nothing_internal(demo, ocds_validators):
    """Issue 18 done-when: the OCDS export of the demo data validates against the 1.1.5
    release-package schema (and record-package schema), carries implementation transactions
    and performance observations rated as in a Contract Performance Notice — for every
    contract with indicators — and no agency-internal data (notes, concerns, evaluations,
    monitoring records, return notes, internal documents, people's names and emails)."""
    transactions = observations = rated = failures = 0
    exported: list[str] = []
    for agency in demo:
        releases = package(agency)
        assert_valid(ocds_validators, releases, "release")
        assert_valid(ocds_validators, package(agency, "record"), "record")
        expected = Contract.objects.filter(agency=agency).exclude(status="draft").count()
        assert len(releases["releases"]) == expected
        for release in releases["releases"]:
            assert release["ocid"].startswith(f"ocds-steward-{agency.slug}-")
            contract = release["contracts"][0]
            implementation = contract.get("implementation", {})
            transactions += len(implementation.get("transactions", []))
            for metric in implementation.get("metrics", []):
                observations += len(metric["observations"])
                rated += sum("measureClassification" in o for o in metric["observations"])
            failures += len(implementation.get("performanceFailures", []))
        _strings(releases, exported)
    assert transactions > 0 and observations > 0 and rated == observations
    text = "\n".join(exported)
    leaked = [t for t in _internal_texts() if t in text]
    assert not leaked, leaked[:5]
    # every contract with indicators gets its targets, whatever its kind of contract
    from steward.performance.models import Indicator

    with_indicators = set(
        Indicator.objects.values_list("contract__agency__slug", "contract__number")
    )
    with_metrics = {
        (agency.slug, release["ocid"].removeprefix(f"ocds-steward-{agency.slug}-"))
        for agency in demo
        for release in package(agency)["releases"]
        if release["contracts"][0].get("metrics")
    }
    assert with_indicators and with_indicators == with_metrics


# ---------------------------------------------------------------- the ocid prefix setting


def test_ocid_prefix_is_the_agencys_setting_with_a_default(agency, provider, make_user):
    """Issue 18: an ocid prefix per agency (Agency.ocid_prefix, set through the agency API
    and form), default ocds-steward-<slug>; drafts are never exported."""
    ContractFactory(agency=agency, provider=provider, number="DCF-1", status="active")
    ContractFactory(agency=agency, provider=provider, number="DCF-2", status="draft")
    assert [r["ocid"] for r in package(agency)["releases"]] == ["ocds-steward-dcf-DCF-1"]
    admin = session_client(make_user(Role.ADMINISTRATOR))
    bad = call(admin, "patch", "/agencies/dcf", {"ocid_prefix": "ocds abc"})
    assert bad.status_code == 422 and "ocid_prefix" in bad.json()["errors"]
    response = call(admin, "patch", "/agencies/dcf", {"ocid_prefix": "ocds-abc123"})
    assert response.status_code == 200 and response.json()["ocid_prefix"] == "ocds-abc123"
    agency.refresh_from_db()
    assert [r["ocid"] for r in package(agency)["releases"]] == ["ocds-abc123-DCF-1"]


# ---------------------------------------------------------------- command line


def test_cli_export_contracts_format_ocds(agency, provider, tmp_path, ocds_validators):
    """Issue 18: `steward export-contracts --format ocds --agency SLUG [--package record]`."""
    ContractFactory(agency=agency, provider=provider, status="active")
    target = tmp_path / "ocds.json"
    err = StringIO()
    call_command(
        "export-contracts", "--format", "ocds", "--agency", "dcf", "-o", str(target), stderr=err
    )
    assert "Exported 1 contracts" in err.getvalue()
    assert_valid(ocds_validators, json.loads(target.read_text()), "release")
    record_file = tmp_path / "records.json"
    call_command(
        "export-contracts",
        "--format",
        "ocds",
        "--agency",
        "dcf",
        "--package",
        "record",
        "-o",
        str(record_file),
        stderr=StringIO(),
    )
    assert_valid(ocds_validators, json.loads(record_file.read_text()), "record")
    with pytest.raises(CommandError, match="per agency"):
        call_command("export-contracts", "--format", "ocds")
    with pytest.raises(CommandError, match="No agency"):
        call_command("export-contracts", "--format", "ocds", "--agency", "nope")


# ---------------------------------------------------------------- API and page


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMINISTRATOR, 200),
        (Role.OVERSIGHT_OFFICER, 200),
        (Role.CONTRACT_MANAGER, 200),
        (Role.SENIOR_MANAGER, 200),
        (Role.PROVIDER_USER, 403),
    ],
)
def test_api_and_page_permissions(client, make_user, agency, role, expected):
    user = make_user(role)
    api = session_client(user)
    assert call(api, "get", "/opendata/ocds", {"agency": "dcf"}).status_code == expected
    signed_in(client, user)
    assert client.get(reverse("opendata:ocds"), {"agency": "dcf"}).status_code == expected


def test_api_needs_authentication_and_the_right_agency(client, make_user, agency, other_agency):
    assert client.get("/api/v1/opendata/ocds").status_code == 401
    assert client.get(reverse("opendata:ocds")).status_code == 302
    manager = make_user(Role.CONTRACT_MANAGER)
    api = session_client(manager)
    assert call(api, "get", "/opendata/ocds", {"agency": other_agency.slug}).status_code == 404
    admin = session_client(make_user(Role.ADMINISTRATOR))
    missing = call(admin, "get", "/opendata/ocds")
    assert missing.status_code == 422 and missing.json()["errors"]["agency"]
    bad = call(admin, "get", "/opendata/ocds", {"agency": "dcf", "package": "zip"})
    assert bad.status_code == 422 and bad.json()["errors"]["package"]


def test_api_streams_a_valid_package_in_bounded_queries(
    make_user, agency, provider, ocds_validators, django_assert_max_num_queries
):
    """Issue 18: the API's package for agency staff (their own agency by default), in a
    bounded number of queries whatever the number of contracts."""
    ContractFactory.create_batch(30, agency=agency, provider=provider, status="active")
    api = session_client(make_user(Role.CONTRACT_MANAGER))
    with django_assert_max_num_queries(20):
        response = call(api, "get", "/opendata/ocds", {"package": "record"})
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    data = json.loads(body)
    assert len(data["records"]) == 30
    assert_valid(ocds_validators, data, "record")


def test_register_page_offers_the_download(client, make_user, agency, provider):
    """Issue 18: a download on the register page (agency staff: their agency)."""
    ContractFactory(agency=agency, provider=provider, status="active")
    signed_in(client, make_user(Role.CONTRACT_MANAGER))
    page = client.get(reverse("contracts:list"))
    link = f"{reverse('opendata:ocds')}?agency=dcf"
    assert link.encode() in page.content.replace(b"&amp;", b"&")
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert json.loads(b"".join(download.streaming_content))["releases"][0]["buyer"]["name"] == (
        agency.name
    )


def test_release_mapping_of_one_contract_in_plain_python(ocds_validators):
    """Issue 18: the mapping alone — original award value and term before amendments,
    transactions, milestones (met, not met, scheduled), KPI actuals rated and the missed
    periods as one performance failure — validates as a release package."""
    buyer = ocds.Org(id="buyer-wl", name="West London")
    supplier = ocds.Org(
        id="GB-CHC-1234567", name="Harbour Care", identifiers=(("GB-CHC", "1234567"),), country="GB"
    )
    indicator = ocds.IndicatorIn(
        id=7,
        name="Visits on time",
        definition="",
        unit="percentage",
        target=Decimal("90"),
        tolerance=Decimal("5"),
        higher_is_better=True,
        values=(
            ocds.ValueIn(date(2026, 4, 1), date(2026, 6, 30), Decimal("92")),
            ocds.ValueIn(date(2026, 7, 1), date(2026, 9, 30), Decimal("80")),
            ocds.ValueIn(date(2026, 10, 1), date(2026, 12, 31), Decimal("60")),
        ),
    )
    contract = ocds.ContractIn(
        number="WL-1",
        title="Home care (light touch)",
        description="",
        status="active",
        contract_type_label="Spot purchase",
        service_type="Home care",
        procurement_method="other",
        procurement_method_label="Other",
        start_date=date(2026, 4, 1),
        end_date=date(2027, 9, 30),
        executed_on=date(2026, 3, 1),
        maximum_obligation=Decimal("150000.00"),
        currency="GBP",
        updated_at=datetime(2026, 12, 1, 12, 0),
        buyer=buyer,
        supplier=supplier,
        amendments=[
            ocds.AmendmentIn(
                1,
                "",
                date(2027, 1, 1),
                "Extended",
                date(2027, 3, 31),
                date(2027, 9, 30),
                Decimal("100000.00"),
                Decimal("150000.00"),
            )
        ],
        payments=[
            ocds.PaymentIn(
                3, date(2026, 5, 20), Decimal("8333.33"), date(2026, 4, 1), date(2026, 4, 30)
            )
        ],
        milestones=[
            ocds.MilestoneIn(1, "Service live", date(2026, 4, 1), date(2026, 4, 1)),
            ocds.MilestoneIn(2, "Review", date(2026, 11, 1), None),
            ocds.MilestoneIn(3, "Final review", date(2027, 9, 1), None),
        ],
        indicators=[indicator],
    )
    rel = ocds.release(contract, prefix="ocds-abc123", today=date(2026, 12, 1))
    head = ocds.package_head(
        package="release",
        uri="https://example.org/p",
        published=contract.updated_at,
        publisher="West London",
    )
    assert_valid(ocds_validators, {**head, "releases": [rel]})
    assert rel["awards"][0]["value"] == {"amount": 100000.0, "currency": "GBP"}
    assert rel["awards"][0]["contractPeriod"]["endDate"] == "2027-03-31T23:59:59Z"
    implementation = rel["contracts"][0]["implementation"]
    assert [m["status"] for m in implementation["milestones"]] == ["met", "notMet", "scheduled"]
    assert [
        o["measureClassification"]["id"] for o in implementation["metrics"][0]["observations"]
    ] == [
        ocds.GOOD,
        ocds.REQUIRES_IMPROVEMENT,
        ocds.INADEQUATE,
    ]
    assert implementation["performanceFailures"][0]["events"] == 2
    assert implementation["transactions"][0]["value"]["amount"] == 8333.33
    assert "contractAmendment" in rel["tag"] and "implementation" in rel["tag"]


def test_agency_edit_page_sets_the_ocid_prefix(client, make_user, agency):
    """Issue 18: the prefix is set on the agency's edit page (letters, digits, hyphens)."""
    from steward.parties.forms import agency_initial

    signed_in(client, make_user(Role.ADMINISTRATOR))
    url = f"/agencies/{agency.slug}/edit/"
    bad = client.post(url, {**agency_initial(agency), "ocid_prefix": "ocds abc!"})
    assert bad.status_code == 200 and b"single hyphens" in bad.content
    good = client.post(url, {**agency_initial(agency), "ocid_prefix": "ocds-abc123"})
    assert good.status_code == 302
    agency.refresh_from_db()
    assert agency.ocid_prefix == "ocds-abc123"
    assert b"ocds-abc123" in client.get(f"/agencies/{agency.slug}/").content
