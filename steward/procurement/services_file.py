"""The procurement file of a Massachusetts purchase-of-service RFR (seed 004, issue 22):
documents attached to appeals, debriefings and the RFR's checklist; issuing the RFR once its
checklist is complete; the forms a provider has on file, with their expiry as a due date.

Every service checks the permission first, validates, and writes audited rows in one
transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from steward.contracts.services_due_dates import due_date_open
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.services import check_uploaded_file, require_perm, save_audited
from steward.parties.models import Agency, Provider
from steward.procurement import calc
from steward.procurement.models import (
    BidAppeal,
    DebriefingRequest,
    ProcurementDocument,
    ProviderForm,
    ProviderFormKind,
    Solicitation,
)
from steward.procurement.services import _happened_on, _require_bidder_or_staff

MANAGE = "procurement.manage_solicitation"


def is_massachusetts(agency: Agency) -> bool:
    """True when `agency` follows the Massachusetts pack or a copy of it."""
    pack: Any = agency.pack
    seen = 0
    while pack is not None and seen < 10:
        if pack.slug == calc.MASSACHUSETTS_PACK:
            return True
        pack = pack.copied_from
        seen += 1
    return False


def checklist_applies(solicitation: Solicitation) -> bool:
    """seed 004: the RFR checklist and the issuing step apply to a purchase-of-service RFR of
    an agency on the Massachusetts pack."""
    return solicitation.purchase_of_service and is_massachusetts(solicitation.agency)


def checklist_attached(solicitation: Solicitation) -> set[str]:
    return set(
        ProcurementDocument.objects.filter(solicitation=solicitation)
        .exclude(checklist_item="")
        .values_list("checklist_item", flat=True)
    )


@transaction.atomic
def document_add(
    *,
    actor: Any,
    upload: UploadedFile,
    title: str = "",
    appeal: BidAppeal | None = None,
    debriefing: DebriefingRequest | None = None,
    solicitation: Solicitation | None = None,
    checklist_item: str = "",
) -> ProcurementDocument:
    """Put a document in the procurement file (seed 004: "All documentation pertaining to
    appeals must be placed in the procurement file"), attached to one of: an appeal or a
    debriefing (the bidder's own users, or the agency's procurement staff), or an item of the
    RFR's checklist (procurement staff; `solicitation` and `checklist_item`). The file is
    checked for type (extension and content) and size: ValidationFailed on `file` says why."""
    owners = [x for x in (appeal, debriefing, checklist_item or None) if x]
    if len(owners) != 1:
        raise ValidationFailed(
            "Attach the document to one appeal, debriefing or checklist item.",
            errors={"__all__": ["Choose what the document belongs to."]},
        )
    if appeal is not None:
        _require_bidder_or_staff(actor, appeal.bid, "add documents to this appeal")
        solicitation = appeal.bid.solicitation
    elif debriefing is not None:
        _require_bidder_or_staff(actor, debriefing.bid, "add documents to this debriefing")
        solicitation = debriefing.bid.solicitation
    else:
        if solicitation is None:
            raise ValidationFailed("Name the RFR.", errors={"solicitation": ["Required."]})
        require_perm(actor, MANAGE, solicitation, action="attach RFR documents")
        if checklist_item not in calc.RFR_ITEM_LABELS:
            raise ValidationFailed(
                "No such checklist item.", errors={"checklist_item": ["Choose an item."]}
            )
    checked = check_uploaded_file(upload)
    document = ProcurementDocument(
        solicitation=solicitation,
        appeal=appeal,
        debriefing=debriefing,
        checklist_item=checklist_item,
        title=title.strip() or calc.RFR_ITEM_LABELS.get(checklist_item, checked.name)[:200],
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    document.file.save(checked.name, upload, save=False)
    try:
        save_audited(document, actor=actor, reason=f"Put in the procurement file: {checked.name}")
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def solicitation_issue(
    *, actor: Any, solicitation: Solicitation, issued_on: date | None = None
) -> Solicitation:
    """seed 004: issue a purchase-of-service RFR. Refused (TransitionNotAllowed, 409, nothing
    written) until every checklist item has its document attached (the Commonwealth Terms and
    Conditions for Human and Social Services, the Supplier Diversity Plan form, the program and
    staffing specifications, the budget forms due with the response), or when already issued.
    `issued_on`: today in the agency's zone when None (never in the future)."""
    require_perm(actor, MANAGE, solicitation, action="issue this RFR")
    solicitation = Solicitation.objects.select_for_update().get(pk=solicitation.pk)
    if not checklist_applies(solicitation):
        raise TransitionNotAllowed(
            "Only a purchase-of-service RFR of a Massachusetts agency is issued here."
        )
    refusal = calc.issue_refusal(
        attached=checklist_attached(solicitation), issued=solicitation.issued_on is not None
    )
    if refusal:
        raise TransitionNotAllowed(refusal, errors={"__all__": [refusal]})
    solicitation.issued_on = _happened_on(
        issued_on, agency=solicitation.agency, after=None, after_what=""
    )
    save_audited(solicitation, actor=actor, reason="RFR issued")
    return solicitation


def require_issued(solicitation: Solicitation) -> None:
    """seed 004: bids on a purchase-of-service RFR are received once it is issued (409)."""
    if (
        checklist_applies(solicitation)
        and not Solicitation.objects.filter(pk=solicitation.pk, issued_on__isnull=False).exists()
    ):
        raise TransitionNotAllowed(
            "This RFR has not been issued yet: complete its checklist and issue it first."
        )


@transaction.atomic
def provider_form_record(
    *,
    actor: Any,
    agency: Agency,
    provider: Provider,
    kind: str,
    signed_on: date,
    expires_on: date,
    reference: str = "",
) -> ProviderForm:
    """Record a signed form the provider has on file (seed 004: Commonwealth Terms and
    Conditions for Human and Social Services, Supplier Diversity Plan) and the day it expires.
    The agency's procurement staff record it. Its expiry becomes a due date (provider_form)
    about the form, for the provider, so reminders go out before it lapses; recording a newer
    form of the same kind replaces the older one's due date."""
    require_perm(actor, MANAGE, agency, action="record provider forms")
    if kind not in ProviderFormKind.values:
        raise ValidationFailed("Choose a form.", errors={"kind": ["Choose a form."]})
    if expires_on <= signed_on:
        message = "The form must expire after it was signed."
        raise ValidationFailed(message, errors={"expires_on": [message]})
    if signed_on > agency.today():
        message = "The form cannot be signed in the future."
        raise ValidationFailed(message, errors={"signed_on": [message]})
    form = ProviderForm(
        provider=provider,
        agency=agency,
        kind=kind,
        signed_on=signed_on,
        expires_on=expires_on,
        reference=reference.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(form, actor=actor, reason=f"{form.get_kind_display()} on file")
    due_date_open(
        kind="provider_form",
        actor=actor,
        start=signed_on,
        agency=agency,
        provider=provider,
        subject=form,
        due_on=expires_on,
        rule_key=f"provider_form:{provider.pk}:{kind}",
        label=f"{form.get_kind_display()} expires",
    )
    return form


def forms_on_file(provider_ids: list[int]) -> dict[int, dict[str, date]]:
    """The latest expiry of each form kind per provider (one query)."""
    out: dict[int, dict[str, date]] = {}
    rows = ProviderForm.objects.filter(provider_id__in=provider_ids).values_list(
        "provider_id", "kind", "expires_on"
    )
    for provider_id, kind, expires in rows:
        kinds = out.setdefault(provider_id, {})
        if kind not in kinds or expires > kinds[kind]:
            kinds[kind] = expires
    return out


def bid_form_problems(solicitation: Solicitation, provider_id: int, on: date) -> list[str]:
    """seed 004: sentences flagging the bidder's missing or expired forms (POS RFRs of
    Massachusetts agencies only)."""
    if not checklist_applies(solicitation):
        return []
    problems = calc.form_problems(
        on_file=forms_on_file([provider_id]).get(provider_id, {}),
        on=on,
        electronic=solicitation.electronic_responses,
    )
    return [text for text, _ in problems]


def contract_form_problems(contract: Any) -> list[str]:
    """Execution check (seed 004): a contract awarded from a Massachusetts POS RFR is not
    executed while the provider's Commonwealth Terms and Conditions are missing or expired
    ("will be required at contract execution (if the form is not already on file)")."""
    solicitation = Solicitation.objects.filter(contract=contract).first()
    if solicitation is None or not checklist_applies(solicitation):
        return []
    problems = calc.form_problems(
        on_file=forms_on_file([contract.provider_id]).get(contract.provider_id, {}),
        on=contract.agency.today(),
        electronic=solicitation.electronic_responses,
    )
    return [text for text, refuses in problems if refuses]
