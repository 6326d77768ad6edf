"""Optimistic concurrency on a contract's compensation limits (seed 004; issue 19 point 6;
docs/security.md §6): a stale save is refused (412 on the API, the pricing page shown again with
the other change and the input kept) instead of silently undoing the first."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from steward.core.tests.api_support import session_client
from steward.parties.models import Role
from steward.pricing import services
from steward.pricing.models import CommercialFee, PosAttachment, PriceLimits
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agency, provider, manager, make_user):
    contract = ContractFactory(agency=agency, provider=provider)
    colleague = make_user(
        Role.FINANCE_OFFICER, username="colleague", first_name="Dana", last_name="Reyes"
    )
    services.price_limits_set(actor=manager, contract=contract, client_resources=D("5"))
    return contract, manager, colleague


def test_api_stale_put_of_price_limits_is_412(world):
    """seed 004: two people record the limits; the second, from the older ETag, is refused."""
    contract, manager, colleague = world
    url = f"/api/v1/pricing/contracts/{contract.pk}/price-limits"
    ours, theirs = session_client(manager), session_client(colleague)
    read = ours.get(url)
    assert read.status_code == 200, read.content
    etag = read["ETag"]
    assert etag == f'"{PriceLimits.objects.get(contract=contract).version}"'
    first = theirs.put(
        url, {"client_resources": "7"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert first.status_code == 200, first.content
    assert first["ETag"] != etag
    second = ours.put(
        url, {"client_resources": "9"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert second.status_code == 412, second.content
    assert second.json()["code"] == "stale_edit"
    assert "Dana Reyes" in second.json()["detail"]
    assert second["ETag"] == first["ETag"]
    assert PriceLimits.objects.get(contract=contract).client_resources == D("7")
    third = ours.put(
        url,
        {"client_resources": "9"},
        content_type="application/json",
        headers={"If-Match": first["ETag"]},
    )
    assert third.status_code == 200
    assert PriceLimits.objects.get(contract=contract).client_resources == D("9")


def _limits_form(client, contract):
    page = client.get(reverse("pricing:contract", args=[contract.pk]))
    form = page.context["limits_form"]
    return {n: "" if form[n].value() is None else form[n].value() for n in form.fields}


def test_page_stale_save_of_price_limits_shows_the_other_change(world):
    """seed 004: on the pricing page, the second save names who changed the limits and keeps
    the person's input; saving again after reading it succeeds."""
    contract, manager, colleague = world
    url = reverse("pricing:limits_update", args=[contract.pk])
    ours, theirs = session_client(manager), session_client(colleague)
    our_form, their_form = _limits_form(ours, contract), _limits_form(theirs, contract)
    version = PriceLimits.objects.get(contract=contract).version
    assert our_form["version"] == version
    their_form["lowest_price_purchaser"] = "Their purchaser"
    assert theirs.post(url, their_form).status_code == 302
    our_form["lowest_price_purchaser"] = "Our careful purchaser"
    response = ours.post(url, our_form)
    assert response.status_code == 422
    page = response.content.decode()
    assert "changed by Dana Reyes" in page
    assert "Their purchaser" in page and "Our careful purchaser" in page
    assert PriceLimits.objects.get(contract=contract).lowest_price_purchaser == "Their purchaser"
    assert response.context["limits_form"]["version"].value() == str(version + 1)
    our_form["version"] = version + 1
    assert ours.post(url, our_form).status_code == 302
    limits = PriceLimits.objects.get(contract=contract)
    assert limits.lowest_price_purchaser == "Our careful purchaser"


def test_api_stale_put_of_the_fee_is_412(world):
    """seed 004: the commercial fee, read with its ETag and stated again from it, is refused
    once someone else has stated it since."""
    contract, manager, colleague = world
    services.commercial_fee_set(actor=manager, contract=contract, kind="zero")
    url = f"/api/v1/pricing/contracts/{contract.pk}/fee"
    ours, theirs = session_client(manager), session_client(colleague)
    etag = ours.get(url)["ETag"]
    first = theirs.put(
        url,
        {"kind": "zero", "basis": "total_payments"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert first.status_code == 200, first.content
    second = ours.put(
        url,
        {"kind": "zero", "basis": "share_of_surplus"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert second.status_code == 412, second.content
    assert "Dana Reyes" in second.json()["detail"]
    assert CommercialFee.objects.get(contract=contract).basis == "total_payments"


def test_page_stale_save_of_the_fee_is_refused(world):
    contract, manager, colleague = world
    services.commercial_fee_set(actor=manager, contract=contract, kind="zero")
    url = reverse("pricing:fee_set", args=[contract.pk])
    ours, theirs = session_client(manager), session_client(colleague)
    page = ours.get(reverse("pricing:contract", args=[contract.pk]))
    form = page.context["fee_form"]
    data = {n: "" if form[n].value() is None else form[n].value() for n in form.fields}
    assert data["version"] == CommercialFee.objects.get(contract=contract).version
    their = {**data, "year_revenue": "1000"}
    assert theirs.post(url, their).status_code == 302
    response = ours.post(url, {**data, "year_revenue": "2000"})
    assert response.status_code == 422
    assert "changed by Dana Reyes" in response.content.decode()
    assert CommercialFee.objects.get(contract=contract).year_revenue == D("1000")


def test_api_stale_put_of_an_attachment_is_412(world):
    """seed 004: each POS attachment row carries its version on the checklist; a stale
    If-Match is refused."""
    contract, manager, colleague = world
    base = f"/api/v1/pricing/contracts/{contract.pk}/attachments"
    ours, theirs = session_client(manager), session_client(colleague)
    created = ours.put(f"{base}/2", {"required": True}, content_type="application/json")
    assert created.status_code == 200, created.content
    listed = {a["number"]: a for a in ours.get(base).json()}
    version = listed[2]["version"]
    assert created["ETag"] == f'"{version}"'
    first = theirs.put(
        f"{base}/2",
        {"required": True, "completed": True},
        content_type="application/json",
        headers={"If-Match": f'"{version}"'},
    )
    assert first.status_code == 200, first.content
    second = ours.put(
        f"{base}/2",
        {"required": False},
        content_type="application/json",
        headers={"If-Match": f'"{version}"'},
    )
    assert second.status_code == 412, second.content
    row = PosAttachment.objects.get(contract=contract, number=2)
    assert row.completed and row.required
