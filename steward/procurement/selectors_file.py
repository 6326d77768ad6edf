"""Reads of the procurement file (seed 004, issue 22): its documents, the RFR checklist and
the forms providers have on file, filtered by what the person may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from steward.core.errors import NotFoundError
from steward.parties.models import Provider
from steward.procurement import calc
from steward.procurement.models import ProcurementDocument, ProviderForm, Solicitation
from steward.procurement.selectors import bids_visible, solicitation_get
from steward.procurement.services_file import checklist_applies


def documents_visible(*, actor: Any, solicitation: Solicitation) -> QuerySet[ProcurementDocument]:
    """The file's documents `actor` may see: all of them for the agency's readers; for a
    bidder, the RFR's checklist documents and those of its own debriefing and appeals."""
    qs = ProcurementDocument.objects.filter(solicitation=solicitation).select_related("uploaded_by")
    if actor.has_perm("procurement.view_scores", solicitation):
        return qs
    bids = bids_visible(actor=actor, solicitation=solicitation)
    return qs.filter(~Q(checklist_item="") | Q(appeal__bid__in=bids) | Q(debriefing__bid__in=bids))


def document_get(*, actor: Any, pk: int) -> ProcurementDocument:
    solicitation_id = (
        ProcurementDocument.objects.filter(pk=pk).values_list("solicitation_id", flat=True).first()
    )
    if solicitation_id is None:
        raise NotFoundError("No such document.")
    solicitation = solicitation_get(actor=actor, pk=solicitation_id)
    document = documents_visible(actor=actor, solicitation=solicitation).filter(pk=pk).first()
    if document is None:
        raise NotFoundError("No such document.")
    return document


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    document: ProcurementDocument | None


@dataclass(frozen=True)
class Checklist:
    applies: bool
    items: list[ChecklistItem]
    complete: bool
    terms_instruction: str


def checklist(solicitation: Solicitation) -> Checklist:
    """seed 004: the POS RFR checklist, each item with its latest document (two queries)."""
    if not checklist_applies(solicitation):
        return Checklist(False, [], True, "")
    latest: dict[str, ProcurementDocument] = {}
    for doc in ProcurementDocument.objects.filter(solicitation=solicitation).exclude(
        checklist_item=""
    ):
        latest[doc.checklist_item] = doc
    items = [ChecklistItem(k, label, latest.get(k)) for k, label in calc.RFR_CHECKLIST]
    return Checklist(
        True,
        items,
        all(i.document for i in items),
        calc.terms_instruction(solicitation.electronic_responses),
    )


def provider_forms_get(*, actor: Any, pk: int) -> tuple[Provider, QuerySet[ProviderForm]]:
    """A provider's forms on file: agency staff, oversight and administrators see them; a
    provider user its own organisation's. NotFoundError otherwise."""
    provider = Provider.objects.filter(pk=pk).first()
    if provider is None or not actor.has_perm("procurement.view_provider_forms", provider):
        raise NotFoundError("No such provider.")
    return provider, ProviderForm.objects.filter(provider=provider).select_related("agency")
