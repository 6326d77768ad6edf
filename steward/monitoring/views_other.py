"""Calendar, actions, reviews and reports pages. Being built."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def calendar(request: HttpRequest) -> HttpResponse:
    raise Http404


def calendar_ics(request: HttpRequest) -> HttpResponse:
    raise Http404


def exceptions(request: HttpRequest) -> HttpResponse:
    raise Http404


def reports(request: HttpRequest) -> HttpResponse:
    raise Http404


def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def reviews_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def review(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def report(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
