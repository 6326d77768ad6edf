"""The reports and the delegated limits are reached from the navigation: for every role, each
of these pages the person may open is linked from the header of every page, and a page the
person may not open is not offered (the report by exception and the report to the
commissioning body of the monitoring process, the annual POS and PSA report, the expiring
contracts report, and the delegated limits a placement refusal sends a budget holder to)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from steward.core.tests.api_support import session_client
from steward.parties.models import Role

PAGES = {
    "Expiring contracts": "contracts:report_expiring",
    "Annual POS and PSA report": "contracts:report_annual",
    "Report by exception": "monitoring:exceptions",
    "Reports to the commissioning body": "monitoring:reports",
    "Delegated limits": "procurement:limits",
}


def _header_links(html: str) -> set[str]:
    header = html.split('<header class="usa-header', 1)[1].split("</header>", 1)[0]
    return set(re.findall(r'href="([^"#?]+)"', header))


@pytest.mark.parametrize("role", [r for r in Role.values])
def test_every_report_a_role_may_open_is_in_its_navigation(role, make_user, packs):
    client = session_client(make_user(role))
    links = _header_links(client.get(reverse("workspace:home")).content.decode())
    for words, name in PAGES.items():
        url = reverse(name)
        status = client.get(url).status_code
        if status == 200:
            assert url in links, f"{words} opens for a {role} but nothing links to it"
        else:
            assert status in (403, 404), (words, status)
            assert url not in links, f"{words} is offered to a {role} who may not open it"


def test_the_agency_staff_reach_every_report(make_user, packs):
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    html = client.get(reverse("workspace:home")).content.decode()
    for words, name in PAGES.items():
        assert f'href="{reverse(name)}"' in html and words in html
