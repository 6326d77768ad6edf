"""Small screens: the responsive header and the tables that scroll inside their own region
(the layout itself is checked at 390 px in the browser tests)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from steward.parties.models import Role
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_scrollable_wraps_a_table_in_a_named_focusable_region():
    html = Template(
        "{% load steward %}{% scrollable label %}<table><tr><td>1</td></tr></table>"
        "{% endscrollable %}"
    ).render(Context({"label": "Contracts <ending>"}))
    assert html == (
        '<div class="usa-table-container--scrollable steward-table-wrap" role="region"'
        ' aria-label="Contracts &lt;ending&gt;" tabindex="0">'
        "<table><tr><td>1</td></tr></table></div>"
    )


def test_header_has_the_menu_button_and_works_without_javascript(client, manager):
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert '<button type="button" class="usa-menu-btn">Menu</button>' in html
    assert '<nav aria-label="Main" class="usa-nav steward-nav">' in html
    # Without JavaScript the menu cannot open: a stylesheet shows every link in place, and
    # no group's links are hidden in the page itself (USWDS hides them once its script runs).
    assert '<noscript><link rel="stylesheet" href="/static/steward/nojs.' in html
    assert 'class="usa-nav__submenu" hidden' not in html
    assert 'id="nav-more" class="usa-nav__submenu">' in html


def test_signed_out_pages_have_no_menu(client):
    html = client.get("/login/").content.decode()
    assert "usa-menu-btn" not in html
    assert 'aria-label="Main"' not in html


@pytest.mark.parametrize(
    ("role", "shown", "not_shown"),
    [
        (
            Role.PROVIDER_USER,
            ["Contracts", "Procurement"],
            ["Oversight", "People", "Expiring contracts", "Report by exception"],
        ),
        (Role.CONTRACT_MANAGER, ["Oversight", "Expiring contracts", "Evaluations"], ["People"]),
        (Role.ADMINISTRATOR, ["People", "Access log"], []),
    ],
)
def test_navigation_groups_follow_permissions(client, make_user, role, shown, not_shown):
    client.force_login(make_user(role))
    html = client.get("/").content.decode()
    nav = html[html.index('aria-label="Main"') : html.index("</nav>")]
    for name in shown:
        assert f">{name}<" in nav, name
    for name in not_shown:
        assert f">{name}<" not in nav, name


def test_wide_lists_scroll_inside_their_region(client, manager, contract):
    ContractFactory(agency=contract.agency, provider=contract.provider, status="active")
    client.force_login(manager)
    for path, label in [
        ("/contracts/", "Contracts"),
        (f"/contracts/{contract.pk}/", None),
        ("/providers/", "Providers"),
        ("/agencies/", "Agencies"),
        ("/packs/", "Policy packs"),
    ]:
        html = client.get(path).content.decode()
        if label:
            assert f'role="region" aria-label="{label}" tabindex="0"' in html, path
        assert html.count("<table") <= html.count("usa-table-container--scrollable") + html.count(
            "usa-table--stacked"
        ), path


def test_every_page_table_is_stacked_or_scrolls_in_its_own_region():
    """At 390 px a wide table must not push the page sideways: every table of a page template
    is a stacked table or sits inside a scrollable, focusable region ({% scrollable %} or the
    region of a hand-made wrapper). PDFs, letters and emails are paper, not screens."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "templates"
    paper = re.compile(r"pdf|letters/|email|mail/|_letter_body|_report_body|performance/_chart")
    bare = []
    for path in sorted(root.rglob("*.html")):
        name = str(path.relative_to(root))
        if paper.search(name):
            continue
        text = path.read_text()
        for match in re.finditer(r"<table\b[^>]*>", text):
            before = text[max(0, match.start() - 250) : match.start()].split("</table>")[-1]
            stacked = "usa-table--stacked" in match.group(0)
            wrapped = "{% scrollable" in before or 'role="region"' in before
            if not (stacked or wrapped):
                bare.append(name)
    assert not bare, f"tables that would overflow a phone: {bare}"
