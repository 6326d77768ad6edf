"""Evaluation pages. Being built."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def due_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def compliance(request: HttpRequest) -> HttpResponse:
    raise Http404


def evaluation_start(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def evaluation_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def evaluation_release(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def evaluation_comment(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def evaluation_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def evaluation_correct(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def evaluation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
