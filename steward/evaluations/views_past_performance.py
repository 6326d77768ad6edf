"""A provider's past performance across agencies (seed 000; DOMAIN.md section 3.2): the
finalised evaluations every agency shares, the score over time and the average current score,
on the provider's page of its own and as a section of the provider page.

The views are thin: the selectors decide what a person may see; refusals are shown on the page
(never a 500)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from steward.core.views import application_errors
from steward.evaluations import selectors
from steward.evaluations.models import Evaluation, EvaluationStatus
from steward.evaluations.views import sees_all_agencies
from steward.parties.models import Provider, Role
from steward.parties.rules import visible_providers_q

SECTION_SHOWN = 5


@dataclass(frozen=True)
class HistoryRow:
    evaluation: Evaluation
    state: str  # finalised, superseded, released, draft
    label: str
    superseded_by: Evaluation | None = None


def _history_rows(evaluations: list[Evaluation], current: list[Evaluation]) -> list[HistoryRow]:
    """Each evaluation with what it is: shared and current, superseded by a later version, or
    (the person's own agency's) not yet shared."""
    current_ids = {e.pk for e in current}
    successor = {e.supersedes_id: e for e in evaluations if e.supersedes_id and e.is_final}
    rows = []
    for e in evaluations:
        if e.status == EvaluationStatus.FINALISED:
            if e.pk in current_ids:
                rows.append(HistoryRow(e, "finalised", "Finalised, shared"))
            else:
                newer = successor.get(e.pk)
                label = f"Superseded by version {newer.version}" if newer else "Superseded"
                rows.append(HistoryRow(e, "superseded", label, newer))
        elif e.status == EvaluationStatus.RELEASED:
            rows.append(HistoryRow(e, "released", "Released to the provider, not final yet"))
        else:
            rows.append(HistoryRow(e, "draft", "Draft, seen only in the writing agency"))
    return rows


@dataclass(frozen=True)
class ScoreChart:
    """An SVG line of the finalised scores over time (decorative: the data table beside it is
    the accessible form), on a fixed 0–100 axis."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float, Decimal]]
    gridlines: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    left: int
    right: int


def _score_chart(history: list[tuple[date, Decimal, Evaluation]]) -> ScoreChart | None:
    if not history:
        return None
    width, height, left, right, top, bottom = 560, 200, 40, 20, 12, 30
    steps = max(len(history) - 1, 1)

    def x(i: int) -> float:
        if len(history) == 1:
            return round(left + (width - left - right) / 2, 1)
        return round(left + (width - left - right) * i / steps, 1)

    def y(v: Decimal | int) -> float:
        return round(top + (height - top - bottom) * (1 - float(v) / 100), 1)

    dots = [(x(i), y(score), score) for i, (_, score, _e) in enumerate(history)]
    # at most eight labels on the time axis, evenly spread; the table has every date
    every = max(1, -(-len(history) // 8))
    labels = [(x(i), f"{day:%b %Y}") for i, (day, _s, _e) in enumerate(history) if i % every == 0]
    return ScoreChart(
        width=width,
        height=height,
        points=" ".join(f"{px},{py}" for px, py, _ in dots),
        dots=dots,
        gridlines=[(y(v), v) for v in (0, 25, 50, 75, 100)],
        x_labels=labels,
        left=left,
        right=width - right,
    )


def _provider(request: HttpRequest, pk: int) -> Provider:
    """The provider if the person may see it (a provider user only their own: 404 otherwise)."""
    provider = Provider.objects.filter(visible_providers_q(request.user), pk=pk).first()
    if provider is None:
        raise Http404("No such provider.")
    return provider


@login_required
@require_GET
@application_errors
def provider_history(request: HttpRequest, pk: int) -> HttpResponse:
    """A provider's past performance across agencies: the finalised evaluations every agency
    shares (and the person's own agency's drafts and released ones, marked), the score over
    time, the average current score and the reports accepted in lieu."""
    provider = _provider(request, pk)
    past = selectors.past_performance(actor=request.user, provider=provider)
    return render(
        request,
        "evaluations/sharing_provider.html",
        {
            "provider": provider,
            "past": past,
            "rows": _history_rows(past.evaluations, past.current),
            "chart": _score_chart(past.history),
            "average": past.average,
            "current_count": len(past.current),
            "sees_all": sees_all_agencies(request.user),
            "is_provider_user": request.user.role == Role.PROVIDER_USER,  # type: ignore[union-attr]
        },
    )


def provider_section(request: HttpRequest, provider: Provider) -> str:
    """The provider page's section: the latest finalised evaluations and the average current
    score, with a link to the full past performance."""
    user: Any = request.user
    if not (user and user.is_authenticated):
        return ""
    if user.role == Role.PROVIDER_USER and user.provider_id != provider.pk:
        return ""
    past = selectors.past_performance(actor=user, provider=provider)
    current = sorted(past.current, key=lambda e: (e.finalised_on or date.min, e.pk), reverse=True)
    return render_to_string(
        "evaluations/_provider_section.html",
        {
            "provider": provider,
            "latest": current[:SECTION_SHOWN],
            "count": len(current),
            "average": past.average,
            "in_lieu_count": len(past.in_lieu),
        },
        request=request,
    )
