"""API: agencies and providers."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from steward.core.concurrency import if_match, set_etag
from steward.core.errors import NotFoundError
from steward.core.pagination import LimitOffsetPagination
from steward.core.schemas import EDIT_ERRORS, READ_ERRORS, WRITE_ERRORS
from steward.core.services import require_perm
from steward.parties.models import Agency, Provider, User
from steward.parties.rules import visible_people_q, visible_providers_q
from steward.parties.schemas import (
    AgencyIn,
    AgencyOut,
    AgencyPatch,
    PeopleFilters,
    PersonDeactivateIn,
    PersonInviteIn,
    PersonOut,
    PersonPatchIn,
    ProviderFilters,
    ProviderIn,
    ProviderOut,
    ProviderPatch,
)
from steward.parties.services import (
    agency_create,
    agency_update,
    person_deactivate,
    person_invite,
    person_reactivate,
    person_update,
    provider_create,
    provider_update,
)

router = Router()


# ---------------------------------------------------------------- agencies


def _agency(slug: str) -> Agency:
    agency = Agency.objects.select_related("pack").filter(slug=slug).first()
    if agency is None:
        raise NotFoundError(f"No agency {slug!r}.")
    return agency


@router.get(
    "/agencies",
    response={200: list[AgencyOut], **READ_ERRORS},
    tags=["agencies"],
    summary="List agencies",
    description="Every agency (department, council, district, oversight body) with its pack.",
)
def agency_list(request: HttpRequest) -> Any:
    require_perm(request.auth, "agencies.view_agency", action="view agencies")  # type: ignore[attr-defined]
    return Agency.objects.select_related("pack").order_by("name")


@router.post(
    "/agencies",
    response={201: AgencyOut, **WRITE_ERRORS},
    tags=["agencies"],
    summary="Create an agency",
    description="Create an agency following the policy pack named by `pack` (a slug). "
    "Administrators only.",
)
def agency_add(request: HttpRequest, payload: AgencyIn) -> Any:
    agency = agency_create(actor=request.auth, data=payload.model_dump())  # type: ignore[attr-defined]
    return Status(201, _agency(agency.slug))


@router.get(
    "/agencies/{slug}",
    response={200: AgencyOut, **READ_ERRORS},
    tags=["agencies"],
    summary="Get an agency",
    description="One agency.",
)
def agency_detail(request: HttpRequest, slug: str, response: HttpResponse) -> Any:
    agency = _agency(slug)
    require_perm(request.auth, "agencies.view_agency", agency, action="view agencies")  # type: ignore[attr-defined]
    set_etag(response, agency)
    return agency


@router.patch(
    "/agencies/{slug}",
    response={200: AgencyOut, **EDIT_ERRORS},
    tags=["agencies"],
    summary="Change an agency",
    description="Change the fields sent. Assigning a policy pack (`pack`) is for administrators "
    "and oversight officers; every other field for administrators.",
)
def agency_change(
    request: HttpRequest, slug: str, payload: AgencyPatch, response: HttpResponse
) -> Any:
    current = _agency(slug)
    with if_match(request, current):
        agency = agency_update(
            actor=request.auth,  # type: ignore[attr-defined]
            agency=current,
            data=payload.model_dump(exclude_unset=True),
        )
    agency = _agency(agency.slug)
    set_etag(response, agency)
    return agency


# ---------------------------------------------------------------- providers


def _provider(request: HttpRequest, slug: str) -> Provider:
    """The provider `slug` if the caller may see it; 404 otherwise (a provider user is not told
    whether another provider exists)."""
    provider = (
        Provider.objects.filter(visible_providers_q(request.auth))  # type: ignore[attr-defined]
        .filter(slug=slug)
        .first()
    )
    if provider is None:
        raise NotFoundError(f"No provider {slug!r}.")
    return provider


@router.get(
    "/providers",
    response={200: list[ProviderOut], **READ_ERRORS},
    tags=["providers"],
    summary="List providers",
    description="Providers the caller may see (a provider user: only its own), by legal name. "
    "`q` searches legal name, trading name and tax id; `for_profit` filters.",
)
@paginate(LimitOffsetPagination)
def provider_list(request: HttpRequest, filters: Query[ProviderFilters]) -> Any:
    qs = Provider.objects.filter(visible_providers_q(request.auth))  # type: ignore[attr-defined]
    if filters.q.strip():
        term = filters.q.strip()
        qs = qs.filter(
            Q(legal_name__icontains=term)
            | Q(trading_name__icontains=term)
            | Q(tax_id__icontains=term)
        )
    if filters.for_profit is not None:
        qs = qs.filter(for_profit=filters.for_profit)
    return qs.order_by("legal_name", "pk")


@router.post(
    "/providers",
    response={201: ProviderOut, **WRITE_ERRORS},
    tags=["providers"],
    summary="Add a provider",
    description="Add a provider. Without `slug` one is made from the legal name. Contract "
    "managers, procurement officers and administrators.",
)
def provider_add(request: HttpRequest, payload: ProviderIn) -> Any:
    data = payload.model_dump()
    if not data.get("slug"):
        data.pop("slug", None)
    provider = provider_create(actor=request.auth, data=data)  # type: ignore[attr-defined]
    return Status(201, provider)


@router.get(
    "/providers/{slug}",
    response={200: ProviderOut, **READ_ERRORS},
    tags=["providers"],
    summary="Get a provider",
    description="One provider; 404 for a provider user asking about another provider.",
)
def provider_detail(request: HttpRequest, slug: str, response: HttpResponse) -> Any:
    provider = _provider(request, slug)
    set_etag(response, provider)
    return provider


@router.patch(
    "/providers/{slug}",
    response={200: ProviderOut, **EDIT_ERRORS},
    tags=["providers"],
    summary="Change a provider",
    description="Change the fields sent. Contract managers, procurement officers and "
    "administrators.",
)
def provider_change(
    request: HttpRequest, slug: str, payload: ProviderPatch, response: HttpResponse
) -> Any:
    current = _provider(request, slug)
    with if_match(request, current):
        provider = provider_update(
            actor=request.auth,  # type: ignore[attr-defined]
            provider=current,
            data=payload.model_dump(exclude_unset=True),
        )
    set_etag(response, provider)
    return provider


# ---------------------------------------------------------------- people


def _person(request: HttpRequest, pk: int) -> User:
    require_perm(request.auth, "people.view_people", action="manage people")  # type: ignore[attr-defined]
    person = (
        User.objects.filter(visible_people_q(request.auth))  # type: ignore[attr-defined]
        .select_related("agency", "provider")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise NotFoundError(f"No person {pk}.")
    return person


@router.get(
    "/users",
    response={200: list[PersonOut], **READ_ERRORS},
    tags=["people"],
    summary="List people",
    description="Accounts the caller manages: every account for a site administrator, the "
    "agency's staff for an agency administrator. `q` searches names, email and user name; "
    "`active` filters.",
)
@paginate(LimitOffsetPagination)
def people_list(request: HttpRequest, filters: Query[PeopleFilters]) -> Any:
    require_perm(request.auth, "people.view_people", action="manage people")  # type: ignore[attr-defined]
    qs = User.objects.filter(visible_people_q(request.auth)).select_related("agency", "provider")  # type: ignore[attr-defined]
    term = filters.q.replace("\x00", "").strip()
    if term:
        qs = qs.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(username__icontains=term)
        )
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs.order_by("last_name", "first_name", "username", "pk")


@router.post(
    "/users",
    response={201: PersonOut, **WRITE_ERRORS},
    tags=["people"],
    summary="Invite a person",
    description="Create an account and email the person a link to choose a password (valid "
    "three days). An agency administrator invites staff of its own agency.",
)
def people_invite(request: HttpRequest, payload: PersonInviteIn) -> Any:
    data = {k: v for k, v in payload.model_dump().items() if v not in (None, "")}
    person = person_invite(actor=request.auth, data=data)  # type: ignore[attr-defined]
    return Status(201, _person(request, person.pk))


@router.get(
    "/users/{pk}",
    response={200: PersonOut, **READ_ERRORS},
    tags=["people"],
    summary="Get a person",
    description="One account the caller manages.",
)
def people_detail(request: HttpRequest, pk: int, response: HttpResponse) -> Any:
    person = _person(request, pk)
    set_etag(response, person)
    return person


@router.patch(
    "/users/{pk}",
    response={200: PersonOut, **EDIT_ERRORS},
    tags=["people"],
    summary="Change a person",
    description="Change the fields sent: names, email, role, job title, jurisdiction. Nobody "
    'changes their own role. Send `If-Match: "<version>"` (the ETag of your read): 412 when '
    "the account changed since.",
)
def people_change(
    request: HttpRequest, pk: int, payload: PersonPatchIn, response: HttpResponse
) -> Any:
    current = _person(request, pk)
    with if_match(request, current):
        person = person_update(
            actor=request.auth,  # type: ignore[attr-defined]
            person=current,
            data=payload.model_dump(exclude_unset=True, exclude_none=True),
        )
    person = _person(request, person.pk)
    set_etag(response, person)
    return person


@router.post(
    "/users/{pk}/deactivate",
    response={200: PersonOut, **WRITE_ERRORS},
    tags=["people"],
    summary="Deactivate a person",
    description="The person can no longer sign in and their API tokens are revoked; the "
    "account and its records stay (accounts are never deleted). 409 if already deactivated.",
)
def people_deactivate(request: HttpRequest, pk: int, payload: PersonDeactivateIn) -> Any:
    person = person_deactivate(
        actor=request.auth,  # type: ignore[attr-defined]
        person=_person(request, pk),
        reason=payload.reason,
    )
    return _person(request, person.pk)


@router.post(
    "/users/{pk}/reactivate",
    response={200: PersonOut, **WRITE_ERRORS},
    tags=["people"],
    summary="Reactivate a person",
    description="Let a deactivated person sign in again. 409 if already active.",
)
def people_reactivate(request: HttpRequest, pk: int) -> Any:
    person = person_reactivate(actor=request.auth, person=_person(request, pk))  # type: ignore[attr-defined]
    return _person(request, person.pk)
