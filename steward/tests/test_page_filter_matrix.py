"""No filter, sort or search on a list PAGE reveals a field hidden from the caller (issue 19
point 1, the pages' half of steward/tests/test_filter_matrix.py).

The matrix: every list page × every role × every query parameter the page offers (found by
reading the page as the administrator: the names of its search form's fields and the values of
its sort links, so a new filter fails `test_every_page_parameter_is_classified` until it is
classified here). A column is *hidden* from a role when the administrator's page shows it and
the role's page does not. A parameter reading a hidden column must be refused with 403 and a
plain message naming it (steward/core/query_guard.py, as the API answers); any other parameter
is accepted (200) or the page is closed to the role altogether (403/404).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from steward.core.tests.api_support import session_client
from steward.parties.models import Role
from steward.tests import test_filter_matrix as api_matrix

pytestmark = pytest.mark.django_db

ROLES = api_matrix.ROLES
world = api_matrix.world  # the same data and users as the API matrix (a fixture)

#: The list pages, by URL name.
PAGES = [
    "contracts:list",
    "contracts:report_expiring",
    "contracts:report_annual",
    "directory:provider_list",
    "evaluations:due",
    "evaluations:compliance",
    "evaluations:in_lieu_list",
    "monitoring:cycles",
    "monitoring:calendar",
    "monitoring:exceptions",
    "monitoring:ops_templates",
    "people:list",
    "performance:portfolio",
    "procurement:list",
    "risk:portfolio",
    "risk:analysis",
    "risk:concerns",
    "workspace:access_log",
]

#: What each parameter of a page reads: the columns of the page's table it filters or searches
#: on, SORT for a sort (each value names its column in SORT_COLUMNS), or None with the reason
#: it reads no field of the listed records (a report's period, the page's output).
SORT = "sort"
PAGE_PARAMS: dict[tuple[str, str], Any] = {
    ("contracts:list", "q"): ("Number", "Title", "Provider"),
    ("contracts:list", "status"): ("Status",),
    ("contracts:list", "agency"): ("Agency",),
    ("contracts:list", "provider"): ("Provider",),
    ("contracts:list", "contract_type"): ("Type",),  # on the contract's page, for everyone
    ("contracts:list", "ends_after"): ("Ends",),
    ("contracts:list", "ends_before"): ("Ends",),
    ("contracts:list", "sort"): SORT,
    ("contracts:report_expiring", "agency"): ("Agency",),
    ("contracts:report_expiring", "as_of"): None,  # the report's date
    ("contracts:report_expiring", "within"): None,  # the report's period
    ("contracts:report_annual", "agency"): ("Agency",),
    ("contracts:report_annual", "fiscal_year"): None,  # the report's year
    ("directory:provider_list", "q"): (
        "Legal name",
        "Trading name",
        "Tax id",
        "Company / charity no.",
    ),
    ("evaluations:compliance", "since"): None,  # the report's period
    ("evaluations:compliance", "until"): None,
    ("evaluations:due", "agency"): ("Agency",),
    ("evaluations:in_lieu_list", "status"): ("Status",),
    ("monitoring:calendar", "month"): None,  # the month shown
    ("monitoring:cycles", "agency"): ("Agency",),
    ("monitoring:cycles", "status"): ("Stage reached",),
    ("monitoring:cycles", "year"): ("Year",),
    ("monitoring:exceptions", "agency"): ("Agency",),
    ("monitoring:exceptions", "since"): None,  # the report's period
    ("people:list", "q"): ("Name", "Email"),
    ("performance:portfolio", "q"): ("Contract", "Provider"),
    ("performance:portfolio", "only"): None,  # which of the agency's contracts (staff only)
    # the analysis counts concerns by category; it is closed to everyone who may not read
    # risk (test_the_analysis_is_closed_to_those_the_concerns_page_hides_the_source_from)
    ("risk:analysis", "by"): None,
    ("risk:analysis", "kind"): None,
    ("risk:analysis", "provider"): None,
    ("risk:analysis", "received_from"): None,
    ("risk:analysis", "received_to"): None,
    ("risk:analysis", "severity"): None,
    ("risk:analysis", "source"): None,
    ("risk:analysis", "status"): None,
    ("risk:concerns", "kind"): ("Type",),
    ("risk:concerns", "provider"): ("Provider",),
    ("risk:concerns", "received_from"): ("Received",),
    ("risk:concerns", "received_to"): ("Received",),
    ("risk:concerns", "severity"): ("Severity",),
    ("risk:concerns", "source"): ("Source",),
    ("risk:concerns", "status"): ("Status",),
    ("risk:portfolio", "agency"): ("Agency",),
    ("risk:portfolio", "level"): ("Monitoring",),
    ("risk:portfolio", "provider"): ("Provider",),
    ("risk:portfolio", "rating"): ("Rating",),
}
SORT_COLUMNS = {
    "number": "Number",
    "title": "Title",
    "provider": "Provider",
    "agency": "Agency",
    "start_date": "Starts",
    "end_date": "Ends",
    "maximum_obligation": "Maximum obligation",
    "status": "Status",
}
#: Parameters every list page takes that read no field: the page of results, the output format.
PAGING = {"page", "format"}


def _forms(html: str) -> list[str]:
    return re.findall(r"<form[^>]*method=\"get\".*?</form>", html, re.S | re.I)


def _page_parameters(client: Any) -> dict[tuple[str, str], set[str]]:
    """Every (page, parameter) the administrator's pages offer, with the sort values."""
    found: dict[tuple[str, str], set[str]] = {}
    for name in PAGES:
        html = client.get(reverse(name)).content.decode()
        for form in _forms(html):
            for field in re.findall(r'name="([^"]+)"', form):
                if field not in PAGING:
                    found.setdefault((name, field), set())
        for value in re.findall(r"[?&](?:amp;)?sort=([-\w]+)", html):
            found.setdefault((name, "sort"), set()).add(value.lstrip("-"))
    return found


def _columns(response: Any) -> set[str] | None:
    """The column headings of the page's tables (without the sort hints), or None when the
    page is closed to the person."""
    if response.status_code != 200:
        return None
    html = response.content.decode()
    return {
        re.sub(r"<[^>]+>", "", text).split(" (")[0].strip()
        for text in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)
    }


def _sample(html: str, name: str, reads: tuple[str, ...]) -> str:
    """A value the page's own form offers for `name` (its first non-empty option), else one of
    the right shape."""
    for form in _forms(html):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', form, re.S)
        if select:
            for value in re.findall(r'<option value="([^"]+)"', select.group(1)):
                return value
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', form)
        if field and 'type="date"' in field.group(0):
            return "2026-01-01"
    return "x"


def test_every_page_parameter_is_classified(world):
    """A new filter, sort or search on a list page must say here which column it reads."""
    admin = session_client(world[Role.ADMINISTRATOR])
    found = _page_parameters(admin)
    assert set(found) == set(PAGE_PARAMS)
    assert found[("contracts:list", "sort")] <= set(SORT_COLUMNS)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_filter_sort_or_search_reads_a_hidden_column(world, role):
    """DOMAIN.md §1 (seed 003 reactive monitoring): on the pages as on the API, a provider never
    learns who raised a concern, nor anyone a column their page does not show, by filtering,
    sorting or searching on it; the refusal is a 403 naming the parameter."""
    admin = session_client(world[Role.ADMINISTRATOR])
    client = session_client(world[role])
    refused = []
    for name in PAGES:
        url = reverse(name)
        admin_page = admin.get(url)
        full = _columns(admin_page) or set()
        shown = _columns(client.get(url))
        if shown is None:  # the page is closed to this role
            continue
        hidden = full - shown
        for (page, param), reads in PAGE_PARAMS.items():
            if page != name or reads is None:
                continue
            if reads == SORT:
                values = {value: (column,) for value, column in SORT_COLUMNS.items()}
                values |= {f"-{value}": (column,) for value, column in SORT_COLUMNS.items()}
            else:
                values = {_sample(admin_page.content.decode(), param, reads): reads}
            for value, columns in values.items():
                response = client.get(url, {param: value})
                if set(columns) & hidden:
                    assert response.status_code == 403, (role, name, param, value)
                    assert f"'{param}'" in response.content.decode().replace("&#x27;", "'")
                    refused.append((name, param))
                else:
                    assert response.status_code == 200, (role, name, param, value)
    if role == Role.PROVIDER_USER:
        assert ("risk:concerns", "source") in refused
    if role == Role.CONTRACT_MANAGER:
        assert ("evaluations:due", "agency") in refused


def test_the_analysis_is_closed_to_those_the_concerns_page_hides_the_source_from(world):
    """The concern analysis counts by any concern field, the source among them: it is not a list
    of records, so it is closed outright to those who may not read who raised a concern."""
    for role in ROLES:
        concerns = _columns(session_client(world[role]).get(reverse("risk:concerns")))
        analysis = session_client(world[role]).get(reverse("risk:analysis"), {"source": "staff"})
        if concerns is not None and "Source" not in concerns:
            assert analysis.status_code in (403, 404), role
        else:
            assert analysis.status_code == 200, role


def test_the_due_list_refuses_the_agency_filter_to_agency_staff(world):
    """The due list shows the agency column only to those who see every agency; agency staff
    asking to filter on it are told so plainly, oversight officers are not."""
    staff = session_client(world[Role.CONTRACT_MANAGER]).get(
        reverse("evaluations:due"), {"agency": "1"}
    )
    assert staff.status_code == 403
    assert "you may not filter, sort or search on &#x27;agency&#x27;" in staff.content.decode()
    oversight = session_client(world[Role.OVERSIGHT_OFFICER]).get(
        reverse("evaluations:due"), {"agency": "1"}
    )
    assert oversight.status_code == 200
