"""No filter, sort or search reveals a field hidden from the caller (issue 19 point 1).

The matrix: every query parameter of every GET endpoint of the published schema (walked from
/api/v1/openapi.json, so a new parameter fails `test_every_query_parameter_is_classified` until
it is classified here) × every role. A field is *hidden* from a role when, on the same record,
the administrator's answer has a value and the role's answer has none (the key is left out or
null). A parameter that reads a hidden field must be refused: 403 `filter_not_allowed`
(steward/core/query_guard.py, docs/security.md). DOMAIN.md §1: a provider never learns who raised
a concern.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from steward.contracts.selectors import SORTS
from steward.core.tests.api_support import session_client
from steward.parties.models import Role
from steward.risk.services import concern_log
from steward.risk.tests.factories import category
from steward.testing.factories import ContractFactory
from steward.testing.openapi_check import published_schema

pytestmark = pytest.mark.django_db

#: What each query parameter reads: a field of the listed items (or several, for a search),
#: SORT for a sort parameter (each value names the field it orders by), or None with the reason
#: it reads no field of the items (paging, output format, a period or dimension of a report).
SORT = "sort"
PARAMS: dict[tuple[str, str], Any] = {
    ("/api/v1/providers", "q"): ("legal_name", "slug"),
    ("/api/v1/providers", "for_profit"): ("for_profit",),
    ("/api/v1/contracts", "q"): ("number", "title", "provider"),
    ("/api/v1/contracts", "status"): ("status",),
    ("/api/v1/contracts", "agency"): ("agency",),
    ("/api/v1/contracts", "provider"): ("provider",),
    ("/api/v1/contracts", "contract_type"): ("contract_type",),
    ("/api/v1/contracts", "ends_before"): ("end_date",),
    ("/api/v1/contracts", "ends_after"): ("end_date",),
    ("/api/v1/contracts", "sort"): SORT,
    ("/api/v1/contracts/export", "q"): ("number", "title", "provider"),
    ("/api/v1/contracts/export", "status"): ("status",),
    ("/api/v1/contracts/export", "agency"): ("agency",),
    ("/api/v1/contracts/export", "provider"): ("provider",),
    ("/api/v1/contracts/export", "contract_type"): ("contract_type",),
    ("/api/v1/contracts/export", "ends_before"): ("end_date",),
    ("/api/v1/contracts/export", "ends_after"): ("end_date",),
    ("/api/v1/contracts/export", "sort"): SORT,
    ("/api/v1/contracts/export", "format"): None,  # output format
    ("/api/v1/reports/expiring", "within"): None,  # a report's period (agency staff only)
    ("/api/v1/reports/expiring", "as_of"): None,
    ("/api/v1/reports/expiring", "agency"): None,  # the report's agency (agency staff only)
    ("/api/v1/reports/annual", "fiscal_year"): None,
    ("/api/v1/reports/annual", "agency"): None,
    ("/api/v1/performance/library", "agency"): None,  # whose library (agency staff only)
    ("/api/v1/performance/portfolio", "q"): ("contract_number", "contract_title", "provider"),
    ("/api/v1/performance/portfolio", "only"): None,  # internal portfolio (agency staff only)
    ("/api/v1/concerns", "provider"): ("provider",),
    ("/api/v1/concerns", "contract"): ("contract",),
    ("/api/v1/concerns", "kind"): ("kind",),
    ("/api/v1/concerns", "severity"): ("severity",),
    ("/api/v1/concerns", "status"): ("status",),
    ("/api/v1/concerns", "source"): ("source",),
    ("/api/v1/concerns", "received_from"): ("received_on",),
    ("/api/v1/concerns", "received_to"): ("received_on",),
    ("/api/v1/risk/concern-counts", "by"): None,  # internal analysis (404 to providers)
    ("/api/v1/risk/concern-counts", "provider"): None,
    ("/api/v1/risk/concern-counts", "contract"): None,
    ("/api/v1/risk/concern-counts", "kind"): None,
    ("/api/v1/risk/concern-counts", "severity"): None,
    ("/api/v1/risk/concern-counts", "status"): None,
    ("/api/v1/risk/concern-counts", "source"): None,
    ("/api/v1/risk/concern-counts", "received_from"): None,
    ("/api/v1/risk/concern-counts", "received_to"): None,
    ("/api/v1/risk/assessments", "rating"): ("rating",),  # internal (404 to providers)
    ("/api/v1/risk/assessments", "level"): ("monitoring_level",),
    ("/api/v1/evaluations", "contract"): ("contract",),
    ("/api/v1/evaluations", "provider"): ("provider",),
    ("/api/v1/evaluations", "status"): ("status",),
    ("/api/v1/evaluations", "kind"): ("kind",),
    ("/api/v1/evaluations/compliance", "since"): None,  # the report's period
    ("/api/v1/evaluations/compliance", "until"): None,
    ("/api/v1/evaluations/in-lieu", "status"): ("status",),
    ("/api/v1/evaluations/in-lieu", "contract"): ("contract",),
    ("/api/v1/monitoring/cycles", "status"): ("status",),
    ("/api/v1/monitoring/cycles", "contract"): ("contract",),
    ("/api/v1/monitoring/cycles", "agency"): ("agency",),
    ("/api/v1/monitoring/calendar", "start"): None,  # the calendar's window
    ("/api/v1/monitoring/calendar", "end"): None,
    ("/api/v1/monitoring/reports/exceptions", "since"): None,
    ("/api/v1/monitoring/reports/exceptions", "agency"): None,
    ("/api/v1/me/work", "group"): ("group",),  # the caller's own work, by its group
    ("/api/v1/access-log", "agency"): None,  # administrators only (403 to everyone else)
    # accounts: administrators and agency administrators only (403 to everyone else)
    ("/api/v1/users", "q"): None,
    ("/api/v1/users", "active"): None,
    # open data: the agency whose register is published and the package kind, not a field of
    # hidden records (the export holds only what OCDS publishes)
    ("/api/v1/opendata/ocds", "agency"): None,
    ("/api/v1/opendata/ocds", "package"): None,
    ("/api/v1/performance/pep", "agency"): None,  # whose eligible contracts (agency staff only)
    # commissioning (internal: 404 to providers): the agency read, and the sector's dimension
    ("/api/v1/commissioning/supply", "agency"): None,
    ("/api/v1/commissioning/supply", "service_type"): ("service_type",),
    ("/api/v1/commissioning/sector", "agency"): None,
    ("/api/v1/commissioning/sector", "service_type"): None,  # the sector the report is about
    ("/api/v1/commissioning/intelligence", "agency"): None,
    ("/api/v1/commissioning/intelligence", "provider"): ("provider_id",),
    ("/api/v1/commissioning/intelligence", "service_type"): ("service_type",),
}
PAGING = {"limit", "offset"}

ROLES = [
    Role.PROVIDER_USER,
    Role.CONTRACT_MANAGER,
    Role.CONTRACT_MONITOR,
    Role.FINANCE_OFFICER,
    Role.PROCUREMENT_OFFICER,
    Role.BUDGET_HOLDER,
    Role.SENIOR_MANAGER,
    Role.OVERSIGHT_OFFICER,
]


def _query_parameters() -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path, item in published_schema()["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] not in PAGING:
                found[(path, parameter["name"])] = parameter
    return found


def test_every_query_parameter_is_classified():
    """A new filter, sort or search parameter must say here which field it reads."""
    assert set(_query_parameters()) == set(PARAMS)


def _items(response: Any) -> list[dict[str, Any]] | None:
    if response.status_code != 200 or not response["Content-Type"].startswith("application/json"):
        return None
    body = response.json()
    if isinstance(body, dict):
        body = body.get("items")
    if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
        return None
    return body


def _key(item: dict[str, Any]) -> Any:
    return item.get("id", item.get("slug", item.get("number")))


def _hidden_fields(role_items: list[dict[str, Any]], admin_items: list[dict[str, Any]]) -> set[str]:
    """The fields the administrator sees a value of on a record where the role sees none."""
    by_key = {_key(i): i for i in admin_items}
    hidden = set()
    for item in role_items:
        full = by_key.get(_key(item))
        if full is None:
            continue
        for field, value in full.items():
            if value not in (None, "", []) and item.get(field) in (None, ""):
                hidden.add(field)
    return hidden


def _sample(parameter: dict[str, Any], admin_items: list[dict[str, Any]], field: str) -> str:
    schema = parameter.get("schema", {})
    options = schema.get("anyOf", [schema])
    for option in options:
        if "enum" in option:
            return str(option["enum"][0])
        if option.get("format") == "date":
            return "2026-01-01"
        if option.get("type") == "integer":
            return "1"
        if option.get("type") == "boolean":
            return "true"
    for item in admin_items:
        if item.get(field) not in (None, ""):
            return str(item[field])
    return "x"


@pytest.fixture
def world(agency, provider, make_user):
    """A contract and a concern of every kind of source, logged through the service, for the
    provider's organisation; one user of every role."""
    manager = make_user(Role.CONTRACT_MANAGER)
    contract = ContractFactory(
        agency=agency, provider=provider, number="DCF-25-100", status="active", notes="internal"
    )
    for source in ("staff", "family"):
        concern_log(
            actor=manager,
            agency=agency,
            provider=provider,
            data={
                "contract": contract,
                "category": category(agency),
                "kind": "complaint",
                "received_on": date(2026, 3, 2),
                "severity": "medium",
                "summary": f"Raised by {source}",
                "description": "Late visits.",
                "source": source,
                "channel": "phone",
                "complainant_reference": "CASE-1",
            },
        )
    users = {role: make_user(role) for role in ROLES if role != Role.CONTRACT_MANAGER}
    users[Role.CONTRACT_MANAGER] = manager
    users[Role.ADMINISTRATOR] = make_user(Role.ADMINISTRATOR)
    return users


@pytest.mark.parametrize("role", ROLES)
def test_no_filter_sort_or_search_reads_a_hidden_field(world, role):
    """DOMAIN.md §1 (seed 003 reactive monitoring): a provider never learns who raised a
    concern, nor any other field hidden from it, through a filter, a sort or a search."""
    admin = session_client(world[Role.ADMINISTRATOR])
    client = session_client(world[role])
    checked = []
    for (path, name), parameter in _query_parameters().items():
        reads = PARAMS[(path, name)]
        if reads is None:
            continue
        base = client.get(path)
        role_items = _items(base)
        if role_items is None:  # closed to this role, or not a list
            continue
        admin_items = _items(admin.get(path)) or []
        hidden = _hidden_fields(role_items, admin_items)
        if reads == SORT:
            values = {value: (value.lstrip("-"),) for value in SORTS}
        else:
            values = {_sample(parameter, admin_items, reads[0]): reads}
        for value, fields in values.items():
            response = client.get(path, {name: value})
            if set(fields) & hidden:
                assert response.status_code == 403, (role, path, name, value, response.content)
                assert response.json()["code"] == "filter_not_allowed"
                assert name in response.json()["detail"]
                checked.append((path, name))
            else:
                assert response.status_code in (200, 404, 422), (role, path, name, response.content)
    if role == Role.PROVIDER_USER:
        assert ("/api/v1/concerns", "source") in checked


def test_the_provider_cannot_learn_the_source_of_its_concerns(world):
    """The attack of issue 19: `?source=staff` from a provider is refused, naming the filter."""
    client = session_client(world[Role.PROVIDER_USER])
    everything = client.get("/api/v1/concerns").json()
    assert everything["count"] == 2
    assert all("source" not in item for item in everything["items"])
    response = client.get("/api/v1/concerns", {"source": "staff"})
    assert response.status_code == 403
    assert response.json()["errors"] == {
        "source": ["Not shown to you, so it cannot be filtered on."]
    }
    assert (
        session_client(world[Role.CONTRACT_MANAGER])
        .get("/api/v1/concerns", {"source": "staff"})
        .json()["count"]
        == 1
    )


def test_the_concerns_page_refuses_the_source_filter_to_a_provider(world):
    """The page follows the same rule: 403 naming the filter, never applied or ignored."""
    client = session_client(world[Role.PROVIDER_USER])
    page = client.get("/risk/concerns/")
    assert page.status_code == 200
    assert 'name="source"' not in page.content.decode()
    refused = client.get("/risk/concerns/", {"source": "staff"})
    assert refused.status_code == 403
    staff = session_client(world[Role.CONTRACT_MANAGER]).get("/risk/concerns/", {"source": "staff"})
    assert staff.status_code == 200
