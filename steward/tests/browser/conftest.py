"""Browser tests: Chromium driven by Playwright against pytest-django's live server.

Static files are served as in production: by WhiteNoise from the collected, hashed files in
STATIC_ROOT (run `steward collectstatic` first; `make test` does). Every page visited is
checked with axe-core and for Content-Security-Policy refusals in the console.

Every journey using the `watched` page runs twice: on a laptop screen (1366 × 768) and on a
phone (390 × 844), where each page checked must also fit the screen's width (no sideways
scrolling of the page; wide tables scroll inside their own region).

With STEWARD_SCREENSHOTS=<folder> set, `watched.screenshot(name)` saves the laptop-sized page
there as <name>.png: the pictures in docs/user-guide/ are made this way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM refuses to run next to one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORTS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
# USWDS shows the navigation inline from its "desktop" breakpoint (64em); below, behind "Menu".
USWDS_DESKTOP_PX = 1024


def _unavailable(reason: str) -> None:
    if os.environ.get("STEWARD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (STEWARD_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _static_files_from_staticroot() -> Iterator[None]:
    """Let WhiteNoise serve /static/ from STATIC_ROOT (hashed names, as in production)
    instead of the live server's finder-based handler, which knows no hashed names."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        pytest.fail(f"{manifest} is missing: run `steward collectstatic --noinput` first")
    original = StaticFilesHandler._should_handle
    StaticFilesHandler._should_handle = lambda self, path: False  # type: ignore[method-assign]
    yield
    StaticFilesHandler._should_handle = original  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed")
    if not AXE.exists():
        _unavailable(f"{AXE} is missing: run `npm ci`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Watched:
    """A Playwright page with what went wrong on it: console errors, failed requests."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.narrow = page.viewport_size["width"] < USWDS_DESKTOP_PX
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"page error: {exc}"))
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _request_failed(self, request: Any) -> None:
        # A request cut short by the next navigation (the browser's own favicon fetch, when a
        # test moves on quickly) is aborted, not failed: only real failures count.
        if request.failure and "ERR_ABORTED" in request.failure:
            return
        self.failed.append(f"failed {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def check(self) -> None:
        """Assert the current page is axe-clean and nothing was refused or failed to load."""
        page = self.page
        # Chromium words CSP refusals "Refused to …" or "… violates the following Content
        # Security Policy directive …", depending on the version.
        refused = [
            m
            for m in self.console_errors
            if "Refused to" in m or "Content Security Policy" in m or "page error" in m
        ]
        assert not refused, f"{page.url}: CSP refusals / script errors: {refused}"
        assert not self.failed, f"{page.url}: static files failed: {self.failed}"
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(AXE.read_text(encoding="utf-8"))
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: tags})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " targets: v.nodes.map(n => n.target.join(' '))}))",
            AXE_TAGS,
        )
        assert violations == [], f"{page.url}: axe violations: {violations}"
        if self.narrow:
            widths = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth,"
                " [...document.querySelectorAll('main *')].filter(e =>"
                " e.getBoundingClientRect().right > window.innerWidth + 1"
                " && !e.closest('.usa-table-container--scrollable'))"
                ".slice(0, 3).map(e => e.tagName + '.' + e.className)]"
            )
            assert widths[0] <= widths[1], f"{page.url}: wider than the screen: {widths}"

    def nav(self, name: str) -> None:
        """Follow the main navigation's link `name` the way a person would: on a phone open
        the menu first, and open the link's group if it is in one."""
        page = self.page
        menu = page.get_by_role("button", name="Menu", exact=True)
        if self.narrow:
            assert not page.get_by_role("navigation", name="Main").is_visible()
            menu.click()
        else:
            assert not menu.is_visible()
        nav = page.get_by_role("navigation", name="Main")
        assert nav.is_visible()
        link = nav.get_by_role("link", name=name, include_hidden=True).first
        if not link.is_visible():
            group = link.locator(
                "xpath=ancestor::li[contains(@class, 'usa-nav__primary-item')]/button"
            )
            group.click()
        link.click()
        page.wait_for_load_state()

    def screenshot(self, name: str) -> None:
        """Save the page for the user guide when STEWARD_SCREENSHOTS names a folder."""
        folder = os.environ.get("STEWARD_SCREENSHOTS")
        if folder and not self.narrow:
            from PIL import Image  # weasyprint's dependency

            path = Path(folder) / f"{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(path))
            # A 128-colour palette keeps the pictures a third of the size, text still sharp.
            with Image.open(path) as shot:
                small = shot.convert("RGB").quantize(colors=128)
            small.save(path, optimize=True)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: Any) -> dict[str, int]:
    """The screen size a journey runs at: each test using `watched` runs at both."""
    return VIEWPORTS[request.param]


@pytest.fixture
def watched(browser: Any, live_server: Any, viewport: dict[str, int]) -> Iterator[Watched]:
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Watched(page)
    context.close()


def sign_in(watched: Watched, username: str, password: str) -> None:
    page = watched.page
    page.goto("/login/")
    watched.check()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
