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
READERS = ("manager", "manager-scot", "manager-wl", "monitor", "finance", "provider", "oversight")
PAGES_PER_READER = 60
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


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo", "--today", TODAY.isoformat(), stdout=StringIO())
        yield
        call_command("flush", "--noinput", verbosity=0)


def _crawl(client, limit: int) -> dict[str, str]:
    """Return {path: visible text} of up to `limit` pages reached from the home page."""
    seen: dict[str, str] = {}
    queue = deque(["/"])
    queued = {"/"}
    while queue and len(seen) < limit:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        text, links = _read(response.content.decode())
        seen[path] = text
        for link in links:
            if link not in queued and not SKIPPED.search(link):
                queued.add(link)
                queue.append(link)
    return seen


@pytest.mark.parametrize("username", READERS)
def test_pages_speak_plain_words(demo, client, username):
    reader = User.objects.get(username=username)
    pages = _crawl(signed_in(client, reader), PAGES_PER_READER)
    assert len(pages) > 10
    named = {
        u.username: u.get_full_name()
        for u in User.objects.exclude(first_name="").exclude(last_name="")
        if "-" in u.username or u.username in ("admin", "oversight", "provider")
    }
    found = []
    for path, text in pages.items():
        for problem, pattern in PROBLEMS.items():
            for match in pattern.finditer(text):
                context = text[max(0, match.start() - 50) : match.end() + 30]
                found.append(f"{path}: {problem}: …{context}…")
        for username_, name in named.items():
            if re.search(rf"(?<![\w-]){re.escape(username_)}(?![\w-])", text):
                found.append(f"{path}: the username {username_} instead of {name}")
    assert not found, "\n".join(found)
