"""Sharing pages. Being built."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def in_lieu_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def provider_history(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def in_lieu_new(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def in_lieu_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def in_lieu_file(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def renewal(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
