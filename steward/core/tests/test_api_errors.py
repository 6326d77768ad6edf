"""The inputs the fuzzer found to be server errors (issue 19 point 8; docs/security.md §8), each
pinned by its own test, and the one error shape for every error on /api/."""

from __future__ import annotations

import json
from datetime import date

import pytest

from steward.core.tests.api_support import call, session_client
from steward.performance import services as performance_services
from steward.performance.models import Return
from steward.performance.tests.factories import with_plan
from steward.testing.factories import ContractFactory

SHAPE = {"detail", "code", "errors"}


@pytest.fixture
def client(manager):
    return session_client(manager)


def test_a_huge_offset_is_422_not_bigint_out_of_range(client):
    response = call(client, "get", "/contracts", {"offset": str(10**20)})
    assert response.status_code == 422
    assert set(response.json()) == SHAPE
    assert "offset" in response.json()["errors"]


def test_a_nul_byte_in_the_query_string_is_422(client):
    response = client.get("/api/v1/contracts?q=%00")
    assert response.status_code == 422
    assert set(response.json()) == SHAPE
    assert "q" in response.json()["errors"]


def test_a_nul_byte_in_a_json_body_is_422(client, contract):
    response = client.patch(
        f"/api/v1/contracts/{contract.pk}",
        '{"notes": "a\\u0000b"}',
        content_type="application/json",
    )
    assert response.status_code == 422
    assert set(response.json()) == SHAPE


def test_a_nul_byte_on_a_page_is_400(client):
    assert client.get("/contracts/?q=%00").status_code == 400


def test_an_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert set(response.json()) == SHAPE


def test_a_method_not_allowed_is_a_json_405(client):
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert set(response.json()) == SHAPE
    assert response.json()["code"] == "method_not_allowed"


def test_an_unhandled_exception_under_api_is_a_json_500():
    from django.test import RequestFactory

    from steward.core.middleware import RequestHygieneMiddleware

    request = RequestFactory().get("/api/v1/me")
    response = RequestHygieneMiddleware(lambda r: None).process_exception(
        request, RuntimeError("boom")
    )
    assert response.status_code == 500
    assert set(json.loads(response.content)) == SHAPE
    assert "boom" not in response.content.decode()  # logged, never shown
    page = RequestFactory().get("/contracts/")
    assert RequestHygieneMiddleware(lambda r: None).process_exception(page, RuntimeError()) is None


def test_a_return_correction_without_value_records_no_data(manager, agency, provider):
    """The correction's `value` may be left out, as in a submission (was a KeyError → 500)."""
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        status="active",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
    )
    indicators = with_plan(contract, manager)
    ret = Return.objects.get(contract=contract, period_start=date(2026, 4, 1))
    performance_services.return_submit(
        actor=manager, ret=ret, values={indicators[0].pk: 5}, on=date(2026, 7, 1)
    )
    response = call(
        session_client(manager),
        "post",
        f"/performance/returns/{ret.pk}/correct",
        {"values": [{"indicator": indicators[0].pk}], "reason": "Recounted"},
    )
    assert response.status_code in (200, 409, 422), response.content
    assert response.status_code < 500
