"""Monitoring cycle pages. Being built."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def cycle_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def contract_monitoring(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def cycle_start(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def cycle_notify(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def notification_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def self_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def cycle_assess(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def visit(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def judgement(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def discussion(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def letter(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def appeal_decision(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
