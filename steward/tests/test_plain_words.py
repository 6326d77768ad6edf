"""Plain words on the pages people read (issue 21 point 6): the demo data seen by several roles,
page by page, never shows a seed number, a currency code before an amount, money without its
thousands separators, a score with four decimals, or a username where the person has a name."""

from __future__ import annotations

import re
from collections import deque
from datetime import date
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command

from steward.parties.models import User
from steward.tests.pages import signed_in

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)
#: the people whose pages are read: a manager in each currency and the other roles that read most
READERS = ("manager", "manager-scot", "manager-wl", "finance", "provider", "oversight")
PAGES_PER_READER = 40
SKIPPED = re.compile(
    r"^/(static|api|accounts/logout|logout|admin|open-data|media)|\.(csv|json|pdf|ics|xlsx|ods)$"
    r"|/(download|export|feed|pdf|letter)(/|$)|format=(csv|json)"
)

PROBLEMS = {
    "a seed number": re.compile(r"\bseed\s+0\d", re.IGNORECASE),
    "a currency code before an amount": re.compile(r"\b(USD|GBP|EUR|CAD)\s?-?\d"),
    "an amount after a bare number": re.compile(r"\d\s(USD|GBP|EUR|CAD)\b"),
    "money without thousands separators": re.compile(r"(?<![\d,.])\d{4,}\.\d{2}\b"),
    "a score with four decimals": re.compile(r"\b\d+\.\d{4}\b"),
    "an ISO date": re.compile(r"\b20\d\d-\d\d-\d\d\b"),
}


class _Text(HTMLParser):
    """The visible text of a page and its same-site links."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def _read(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.links


def _crawl(client, limit: int) -> dict[str, str]:
    """Return {path: page HTML} of up to `limit` pages reached from the monitoring list (first,
    so that cycle pages with their step indicator are among them) and the home page."""
    seen: dict[str, str] = {}
    queue = deque(["/monitoring/", "/"])
    queued = set(queue)
    while queue and len(seen) < limit:
        path = queue.popleft()
        response = client.get(path, follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen[path] = response.content.decode()
        for link in _read(seen[path])[1]:
            if link not in queued and not SKIPPED.search(link):
                queued.add(link)
                queue.append(link)
    return seen


def _stage_numbers(html: str) -> tuple[list[str], list[str]]:
    """The stage numbers of a cycle's step indicator and of its stages table."""
    stepper = re.findall(r'usa-step-indicator__segment-label">(\d+)\. ', html)
    table = re.findall(r'<th scope="row" data-label="Stage">(\d+)\. ', html)
    return stepper, table


def _problems(path: str, html: str, named: dict[str, str]) -> list[str]:
    text = _read(html)[0]
    found = []
    for problem, pattern in PROBLEMS.items():
        if problem == "a seed number" and path.startswith("/packs/"):
            continue  # the policy pack pages are where each rule's source is given
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 12) : match.start()]
            if "e.g." in before or "example" in before:
                continue  # a form's hint shows what to type, as the field reads it
            context = text[max(0, match.start() - 50) : match.end() + 30]
            found.append(f"{path}: {problem}: …{context}…")
    for username, name in named.items():
        if re.search(rf"(?<![\w-]){re.escape(username)}(?![\w-])", text):
            found.append(f"{path}: the username {username} instead of {name}")
    stepper, table = _stage_numbers(html)
    if stepper and table and stepper != table:
        found.append(f"{path}: the stepper numbers the stages {stepper}, the table {table}")
    return found


def test_pages_speak_plain_words(db, client):
    """The demo, read by managers in dollars and in pounds, a monitor, finance, a provider and
    the oversight officer: page text with none of the shapes the database keeps values in."""
    call_command("demo", "--today", TODAY.isoformat(), stdout=StringIO())
    named = {
        u.username: u.get_full_name()
        for u in User.objects.exclude(first_name="").exclude(last_name="")
        if "-" in u.username  # "provider" or "manager" are also words of the page text
    }
    found: list[str] = []
    read = 0
    steppers = 0
    for username in READERS:
        pages = _crawl(signed_in(client, User.objects.get(username=username)), PAGES_PER_READER)
        read += len(pages)
        for path, html in pages.items():
            found += _problems(path, html, named)
            steppers += bool(_stage_numbers(html)[0])
        client.logout()
    assert read > 10 * len(READERS)
    assert steppers, "no monitoring cycle page was read"
    assert not found, "\n".join(sorted(set(found)))


def test_the_checks_catch_what_they_look_for():
    """Each check fails on the text it is there to catch (a test that cannot fail proves
    nothing)."""
    html = (
        "<p>Rule from seed 003. USD 1850000.00 of 960000.00; 4000.00 USD; score 88.0000; "
        "by manager-scot; on 2026-03-10.</p>"
        '<span class="usa-step-indicator__segment-label">4. Judged <span>'
        '<th scope="row" data-label="Stage">5. Judged</th>'
    )
    found = "\n".join(_problems("/x/", html, {"manager-scot": "Euan MacLeod"}))
    for problem in PROBLEMS:
        assert problem in found
    assert "the username manager-scot" in found and "the stepper numbers" in found
    assert not _problems("/x/", "<p>$1,850,000.00; 88.0; Euan MacLeod; 10 March 2026</p>", {})
