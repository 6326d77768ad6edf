"""Every URL needs a signed-in person, unless it is on the allow-list.

The walker visits every pattern in steward.urls (filling path converters with sample values)
as an anonymous visitor: pages must redirect to the sign-in page, the admin to its own sign-in
page; the API (its own allow-list entry) must not answer 200.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

PUBLIC = {"login/", "admin/login/"}  # pages anyone may open
# Choosing a password (invitation or reset) is for people not signed in; the link's token, not
# a session, is what lets them in (docs/accounts.md).
PASSWORD_PAGES = {
    "account/password-reset/",
    "account/password-reset/sent/",
    "account/password/sample/sample/",
    "account/password/saved/",
}
# Single sign-on answers 404 while it is not configured (steward/parties/tests/test_sign_in.py
# tests it configured).
SSO = {"oidc/authenticate/", "oidc/callback/"}
# The API's schema and its documentation page describe endpoints, not data: public.
PUBLIC_API = {"api/v1/docs", "api/v1/openapi.json"}
# Calendar feeds are opened by calendar apps, which cannot sign in: the signed token in the
# address is the authentication, and a bad token answers 404 (steward.monitoring.ical).
TOKEN_FEEDS = {"monitoring/calendar/feed/sample.ics"}
# Sign-out pages answer GET with 405 (signing out is a POST).
POST_ONLY = {"logout/", "admin/logout/"}
SAMPLES = {
    "int": "1",
    "slug": "sample",
    "str": "sample",
    "path": "sample/x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def _route_sample(route: str) -> str:
    return re.sub(
        r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>",
        lambda m: SAMPLES.get(m.group("conv") or "str", "1"),
        route,
    )


def _regex_sample(regex: str) -> str:
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    text = re.sub(r"\((?:\?P<\w+>)?[^)]*\)", "1", text)
    return text.replace("\\", "").replace(".*", "x").replace("?", "")


def _sample(pattern: RoutePattern | RegexPattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _route_sample(str(pattern._route))
    return _regex_sample(pattern._regex)


def walk(patterns=None, prefix: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """Return a sample path (without the leading slash) for every URL pattern."""
    found = []
    for entry in patterns if patterns is not None else get_resolver("steward.urls").url_patterns:
        piece = prefix + _sample(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(walk(entry.url_patterns, piece))
        elif isinstance(entry, URLPattern):
            found.append(piece)
    return found


PATHS = sorted(set(walk()))


def test_walker_finds_the_pages():
    assert "contracts/1/" in PATHS
    assert "providers/sample/edit/" in PATHS
    assert "packs/sample/edit/" in PATHS
    assert len(PATHS) > 20


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_anonymous_get_needs_sign_in(client, path):
    url = "/" + path
    response = client.get(url)
    if path in PUBLIC or path in PUBLIC_API:
        assert response.status_code == 200
    elif path in PASSWORD_PAGES:
        assert response.status_code in (200, 302), url
    elif path in SSO:
        assert response.status_code == 404, url
    elif path in TOKEN_FEEDS:
        assert response.status_code == 404, f"{url} answered {response.status_code}"
    elif path in POST_ONLY:
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert "login/" in response["Location"] or response["Location"] == "/admin/"
    elif path.startswith("api/"):
        assert response.status_code != 200, f"{url} answered 200 to an anonymous visitor"
    elif path.startswith("admin/"):
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == 302, f"{url} answered {response.status_code}"
        assert response["Location"].startswith(reverse("core:login") + "?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in PATHS if not p.startswith(("api/", "admin/"))])
def test_anonymous_post_needs_sign_in(client, path):
    response = client.post("/" + path, {})
    if path in PUBLIC or path in PASSWORD_PAGES:
        assert response.status_code in (200, 302, 405)
    elif path in SSO:
        assert response.status_code == 404
    elif path in POST_ONLY:
        assert response.status_code == 302  # signing out when not signed in: back to sign in
        assert response["Location"] == reverse("core:login")
    else:
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("core:login") + "?next=")
