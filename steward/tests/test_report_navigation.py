"""The reports and the delegated limits are reached from the navigation: for every role, each
of these pages the person may open is linked from the header of every page, and a page the
person may not open is not offered (the report by exception and the report to the
commissioning body of the monitoring process, the annual POS and PSA report, the expiring
contracts report, and the delegated limits a placement refusal sends a budget holder to)."""

from __future__ import annotations

import re
from typing import Any

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


#: pages reached from elsewhere than the navigation: the password and two-step flows start at
#: the sign-in page and the emails; the whole work list is linked from the home page when there
#: is work to list
NOT_NAVIGATED = (
    "/account/password-reset/",
    "/account/password-reset/sent/",
    "/account/password/saved/",
    "/account/two-factor/setup/",
    "/work/",
)


def _pages_without_parameters() -> list[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver: Any, prefix: str) -> list[str]:
        found = []
        for p in resolver.url_patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                found += walk(p, route)
            elif isinstance(p, URLPattern) and "<" not in route and not route.startswith("^"):
                found.append("/" + route)
        return found

    return [
        p
        for p in walk(get_resolver(), "")
        if not p.startswith(("/api/", "/admin", "/static", "/media")) and p not in NOT_NAVIGATED
    ]


@pytest.mark.parametrize("role", list(Role.values))
def test_every_page_a_role_may_open_is_reached_from_its_navigation(
    role, make_user, packs, contract
):
    """Issue 21: every page of the URL map a role may open is linked from the navigation or
    from a page the navigation opens (two clicks from the home page)."""
    client = session_client(make_user(role))
    seen: set[str] = set()
    frontier = [reverse("workspace:home")]
    for _click in range(2):
        following = []
        for path in frontier:
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            for link in re.findall(r'href="(/[^"#?]*)', response.content.decode()):
                if link not in seen:
                    seen.add(link)
                    following.append(link)
        frontier = following
    unreached = []
    for path in _pages_without_parameters():
        if path in seen:
            continue
        response = client.get(path)
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            unreached.append(path)
    assert not unreached, f"a {role} may open these pages but nothing leads there: {unreached}"
