"""seed 003 3(A)iii-iv: procurement compliance on contracts. The pack's tender threshold
(Scotland: more than £20,000) applies to contracts, not only to solicitations: a contract
records how it was procured, and the execution check refuses what the threshold asks for and
the record lacks. The Scottish council of `conftest.py` (pack scottish-childrens)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from steward.contracts.services import contract_create, contract_execute, document_upload
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.tests.api_support import call, pdf_upload, session_client
from steward.parties.models import Role
from steward.procurement import calc
from steward.procurement.services_compliance import procurement_problems, procurement_record_set
from steward.testing.factories import AgencyFactory, UserFactory

T = Decimal("20000")
EXEC = date(2026, 3, 1)


def facts(value, method, *, threshold=T, bv=False, ad=False, risk=False):
    return calc.ProcurementFacts(
        value=Decimal(value),
        threshold=threshold,
        method=method,
        best_value_on_file=bv,
        advertised=ad,
        risk_assessed=risk,
    )


def problems(f):
    return calc.procurement_problems(f, value="V", threshold="T")


# ------------------------------------------------------------------ the rule (no database)


def test_seed_003_rule_above_the_threshold_is_never_under_the_threshold():
    """seed 003 3(A)iv: more than £20,000 cannot be recorded as under the tender threshold."""
    assert (
        "cannot be recorded as under the threshold"
        in problems(facts("450000", "under_threshold"))[0]
    )
    assert "cannot be recorded" in problems(facts("20000.01", "under_threshold"))[0]


def test_seed_003_rule_a_tender_above_the_threshold_is_advertised():
    """seed 003 3(A)iv: advertisement on the Council's website (or Public Contracts Scotland)
    for a contract of more than £20,000."""
    assert "Public Contracts Scotland" in problems(facts("450000", "tendered"))[0]
    assert problems(facts("450000", "tendered", ad=True)) == []


@pytest.mark.parametrize("method", ["direct_award", "quotation", "best_value_exemption", "other"])
def test_seed_003_rule_not_tendered_above_the_threshold_needs_best_value(method):
    """seed 003 flow chart: "Best Value analysis showed that contract didn't require
    tendering"."""
    assert "Best Value analysis" in problems(facts("450000", method))[0]
    assert problems(facts("450000", method, bv=True)) == []


def test_seed_003_rule_under_the_threshold_records_its_risk_assessment():
    """seed 003 3(A)iv: "A risk assessment procedure shall be used to determine the degree to
    which opportunities under £20k should be promoted"; exactly £20,000 is not "more than"."""
    assert "risk assessment" in problems(facts("20000", "under_threshold"))[0]
    assert "risk assessment" in problems(facts("19000", "quotation"))[0]
    assert problems(facts("19000", "quotation", risk=True)) == []
    assert problems(facts("19000", "tendered")) == []


def test_rule_framework_call_off_and_packs_without_a_threshold_ask_nothing():
    """seed 003 3(A)i: a call-off from a framework the Sourcing team tendered; a pack without a
    tender threshold (the US packs, West London) asks nothing."""
    assert problems(facts("450000", "framework")) == []
    assert problems(facts("450000", "under_threshold", threshold=None)) == []


# ------------------------------------------------------------------ services


def _draft(ccm, scc, provider, *, number="HC-450", value="450000", method="under_threshold"):
    return contract_create(
        actor=ccm,
        agency=scc,
        data={
            "number": number,
            "title": "Residential care",
            "contract_type": "block",
            "provider": provider,
            "start_date": date(2026, 4, 1),
            "end_date": date(2027, 3, 31),
            "maximum_obligation": Decimal(value),
            "compensation_structure": "unit_rate",
            "procurement_method": method,
        },
    )


def test_seed_003_450k_highland_contract_is_not_executed_under_the_threshold(scc, ccm, provider):
    """seed 003 (issue 17): a £450,000 contract executed as "under the tender threshold" with
    no warning. Now refused, with the amounts in pounds."""
    contract = _draft(ccm, scc, provider)
    with pytest.raises(TransitionNotAllowed, match=r"£450,000\.00, above the tender threshold"):
        contract_execute(actor=ccm, contract=contract, executed_on=EXEC)


def test_seed_003_direct_award_needs_best_value_analysis_written_or_as_a_document(
    scc, ccm, provider
):
    """seed 003: above the threshold without a tender, the Best Value analysis is on file."""
    written = _draft(ccm, scc, provider, method="direct_award")
    with pytest.raises(TransitionNotAllowed, match="Best Value analysis"):
        contract_execute(actor=ccm, contract=written, executed_on=EXEC)
    procurement_record_set(
        actor=ccm,
        contract=written,
        data={"best_value_analysis": "Only registered provider of secure care in the area."},
    )
    assert contract_execute(actor=ccm, contract=written, executed_on=EXEC).status == "executed"

    filed = _draft(ccm, scc, provider, number="HC-451", method="direct_award")
    doc = document_upload(
        actor=ccm, contract=filed, kind="attachment", title="Best Value", upload=pdf_upload()
    )
    with pytest.raises(ValidationFailed, match="not held with this contract"):
        procurement_record_set(actor=ccm, contract=written, data={"best_value_document": doc.pk})
    procurement_record_set(actor=ccm, contract=filed, data={"best_value_document": doc.pk})
    assert procurement_problems(filed) == []


def test_seed_003_under_threshold_opportunity_records_risk_assessment(scc, ccm, provider):
    """seed 003: an opportunity under £20,000 records its risk assessment (a level and why)."""
    contract = _draft(ccm, scc, provider, value="18500")
    assert "risk assessment" in procurement_problems(contract)[0]
    with pytest.raises(ValidationFailed, match="Say why"):
        procurement_record_set(actor=ccm, contract=contract, data={"promotion_risk": "low"})
    with pytest.raises(ValidationFailed, match="where the opportunity was advertised"):
        procurement_record_set(
            actor=ccm, contract=contract, data={"advertised_on": date(2026, 1, 1)}
        )
    procurement_record_set(
        actor=ccm,
        contract=contract,
        data={"promotion_risk": "low", "risk_assessment": "Local childminders only."},
    )
    assert contract_execute(actor=ccm, contract=contract, executed_on=EXEC).status == "executed"


def test_packs_without_a_threshold_execute_as_before(packs, provider):
    """A Connecticut agency (no tender threshold in its pack) is not asked for the record."""
    ct = AgencyFactory(name="CT", slug="ct", pack=packs["connecticut-opm"])
    manager = UserFactory(role=Role.CONTRACT_MANAGER, agency=ct, username="ct-m")
    contract = _draft(manager, ct, provider)
    assert procurement_problems(contract) == []
    assert contract_execute(actor=manager, contract=contract, executed_on=EXEC).status == "executed"


def test_record_permissions(scc, ccm, officer, provider, packs, make_user):
    """Procurement officers and contract managers of the agency record it; a key worker, another
    agency's manager and a provider user may not."""
    contract = _draft(ccm, scc, provider)
    procurement_record_set(actor=officer, contract=contract, data={"advertised_on_pcs": True})
    other = AgencyFactory(name="Other", slug="other", pack=packs["scottish-childrens"])
    for user in (
        UserFactory(role=Role.KEY_WORKER, agency=scc, username="kw"),
        UserFactory(role=Role.CONTRACT_MANAGER, agency=other, username="om"),
        UserFactory(role=Role.PROVIDER_USER, provider=provider, agency=None, username="pu"),
    ):
        with pytest.raises(PermissionDeniedError):
            procurement_record_set(actor=user, contract=contract, data={"advertised_on": None})


# ------------------------------------------------------------------ API


def test_seed_003_450k_contract_through_the_api(scc, ccm, provider):
    """seed 003 through the API: executing the £450,000 contract "under the threshold" answers
    409 with the reason; the record shows what is missing; recorded as a tender advertised on
    Public Contracts Scotland (method changed), it executes."""
    contract = _draft(ccm, scc, provider)
    client = session_client(ccm)
    refused = call(
        client, "post", f"/contracts/{contract.pk}/execute", {"executed_on": "2026-03-01"}
    )
    assert refused.status_code == 409
    assert "above the tender threshold" in refused.json()["detail"]
    url = f"/procurement/contracts/{contract.pk}/procurement-record"
    body = call(client, "get", url).json()
    assert body["tender_threshold"] == "20000.00" and len(body["problems"]) == 1
    assert (
        call(
            client, "patch", f"/contracts/{contract.pk}", {"procurement_method": "tendered"}
        ).status_code
        == 200
    )
    posted = call(
        client,
        "post",
        url,
        {
            "advertised_on_pcs": True,
            "advertised_on": "2026-01-10",
            "advertisement_reference": "PCS-1",
        },
    )
    assert posted.status_code == 200, posted.content
    assert posted.json()["problems"] == []
    executed = call(
        client, "post", f"/contracts/{contract.pk}/execute", {"executed_on": "2026-03-01"}
    )
    assert executed.status_code == 200, executed.content


def test_api_permissions(scc, ccm, provider, packs):
    """Agency readers read (providers and other agencies 404); only procurement people write
    (a key worker 403); a bad risk level 422."""
    contract = _draft(ccm, scc, provider)
    url = f"/procurement/contracts/{contract.pk}/procurement-record"
    other = AgencyFactory(name="Other", slug="other", pack=packs["scottish-childrens"])
    outsider = UserFactory(role=Role.CONTRACT_MANAGER, agency=other, username="om")
    supplier = UserFactory(role=Role.PROVIDER_USER, provider=provider, agency=None, username="pu")
    key = UserFactory(role=Role.KEY_WORKER, agency=scc, username="kw")
    for user in (outsider, supplier):
        assert call(session_client(user), "get", url).status_code == 404
        assert (
            call(session_client(user), "post", url, {"advertised_on_pcs": True}).status_code == 404
        )
    assert call(session_client(key), "get", url).status_code == 200
    assert call(session_client(key), "post", url, {"advertised_on_pcs": True}).status_code == 403
    bad = call(session_client(ccm), "post", url, {"promotion_risk": "huge"})
    assert bad.status_code == 422


# ------------------------------------------------------------------ page


def test_page_shows_the_problem_and_records(client, scc, ccm, provider, packs):
    """The page says what the threshold asks, in plain words and pounds; the contract manager
    records the Best Value analysis through the form; others cannot."""
    contract = _draft(ccm, scc, provider, method="direct_award")
    url = reverse("procurement:record", args=[contract.pk])
    client.force_login(ccm)
    page = client.get(url).content.decode()
    assert "Before the contract can be executed" in page and "£450,000.00" in page
    assert "direct_award" not in page
    detail = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "How it was procured" in detail and "to record before execution" in detail
    response = client.post(url, {"best_value_analysis": "Sole secure unit in the region."})
    assert response.status_code == 302
    assert "is complete" in client.get(url).content.decode()
    key = UserFactory(role=Role.KEY_WORKER, agency=scc, username="kw")
    client.force_login(key)
    assert '<form method="post" class="usa-form' not in client.get(url).content.decode()
    assert client.post(url, {"best_value_analysis": "x"}).status_code == 403
    other = AgencyFactory(name="Other", slug="other", pack=packs["scottish-childrens"])
    client.force_login(UserFactory(role=Role.CONTRACT_MANAGER, agency=other, username="om"))
    assert client.get(url).status_code == 404
    client.force_login(
        UserFactory(role=Role.PROVIDER_USER, provider=provider, agency=None, username="pu")
    )
    assert client.get(url).status_code == 404
