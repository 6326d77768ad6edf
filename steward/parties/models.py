"""Agencies, providers and the people who use Steward, with their roles."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from steward.core.concurrency import Versioned
from steward.core.deadlines import local_date
from steward.core.formatting import person_name
from steward.core.models import TimeStampedModel


class AgencyKind(models.TextChoices):
    STATE_AGENCY = "state_agency", "State agency or department"
    SCHOOL_DISTRICT = "school_district", "School district"
    COUNCIL = "council", "Council or local authority"
    OVERSIGHT_BODY = "oversight_body", "Oversight body"


class Agency(Versioned, TimeStampedModel):
    """A public body that buys services (or, kind oversight_body, one that oversees others)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    pack = models.ForeignKey(
        "core.PolicyPack",
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text="The policy pack whose deadlines, calendar and thresholds this agency follows.",
    )
    jurisdiction = models.CharField(max_length=120, blank=True)
    address = models.TextField(
        blank=True, help_text="The postal address under the letterhead, one line a line."
    )
    contact_email = models.EmailField(blank=True)
    # the letterhead of its letters and notices (issue 21 point 7; docs/letters.md)
    logo = models.FileField(
        upload_to="agency-logos/",
        blank=True,
        help_text="PNG or JPEG, checked by steward.core.uploads; shown on every letter.",
    )
    signatory_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who signs the agency's letters when the contract names no manager.",
    )
    signatory_title = models.CharField(max_length=200, blank=True)
    closure_days = models.JSONField(
        default=list,
        blank=True,
        help_text="Agency closure days (ISO dates) on top of the pack's public holidays.",
    )
    ocid_prefix = models.CharField(
        "OCDS ocid prefix",
        max_length=60,
        blank=True,
        help_text="The prefix of this agency's open-contracting ids (ocids) in the OCDS export, "
        "as registered with the Open Contracting Partnership (e.g. ocds-abc123). Empty: "
        "ocds-steward-<agency slug>.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AgencyKind.values), name="parties_agency_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def time_zone(self) -> str:
        """The agency's IANA time zone, from its policy pack."""
        return self.pack.parsed.time_zone

    def today(self, now: datetime | None = None) -> date:
        """The agency's "today": the date in its pack's time zone at `now` (default: this
        moment). Due dates turn overdue, and days left count down, on this date."""
        return local_date(now or timezone.now(), self.time_zone)


def normalise_name(name: str) -> str:
    """Return a provider name folded for matching: case, accents, punctuation and legal suffixes
    (Inc, LLC, Ltd, Limited, Corp, Co, PLC, CIC) removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    words = [w for w in text.split() if w]
    suffixes = {
        "inc",
        "incorporated",
        "llc",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "plc",
        "cic",
        "the",
        "company",
    }
    while words and words[-1] in suffixes:
        words.pop()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


class Provider(Versioned, TimeStampedModel):
    """A provider (contractor) of services, possibly contracted by many agencies."""

    legal_name = models.CharField(max_length=250)
    trading_name = models.CharField(max_length=250, blank=True)
    normalised_name = models.CharField(max_length=250, db_index=True, editable=False)
    slug = models.SlugField(max_length=120, unique=True)
    tax_id = models.CharField("tax id (EIN)", max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    # None: not known (a published register may say "Unknown"; it is not guessed)
    for_profit = models.BooleanField(null=True, blank=True, default=False)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state / county", max_length=100, blank=True)
    postcode = models.CharField("ZIP / postcode", max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166 alpha-2")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    # who keeps the identity fields besides the provider itself and oversight (issue 19 pt 2)
    created_by_agency = models.ForeignKey(
        "Agency",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="providers_created",
        help_text="The agency that added the provider; it may keep its record up to date.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["legal_name"]
        indexes = [
            # the register sorted by provider walks this index instead of sorting every
            # provider (docs/performance.md); provider lists are read in this order too
            models.Index(fields=["legal_name", "id"], name="provider_name_id_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_id"],
                condition=~Q(tax_id=""),
                name="parties_provider_tax_id_unique",
                violation_error_message="Another provider already has this tax id (EIN).",
            ),
            models.UniqueConstraint(
                fields=["company_number"],
                condition=~Q(company_number=""),
                name="parties_provider_company_number_unique",
                violation_error_message="Another provider already has this company number.",
            ),
            models.UniqueConstraint(
                fields=["charity_number"],
                condition=~Q(charity_number=""),
                name="parties_provider_charity_number_unique",
                violation_error_message="Another provider already has this charity number.",
            ),
            models.CheckConstraint(
                condition=~Q(legal_name=""), name="parties_provider_legal_name_required"
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.normalised_name = normalise_name(self.legal_name)
        super().save(*args, **kwargs)


class ProviderContact(TimeStampedModel):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"


class InspectionRating(TimeStampedModel):
    """An external inspection rating of a provider (Care Inspectorate, CQC, state licensing)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="inspections")
    body = models.CharField(max_length=120)
    rating = models.CharField(max_length=80)
    inspected_on = models.DateField()
    link = models.URLField(blank=True)
    # the regulator's rating feeds every agency's risk score: say who recorded it (issue 19 pt 2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    recorded_by_agency = models.ForeignKey(
        "Agency", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-inspected_on"]

    def __str__(self) -> str:
        return f"{self.body}: {self.rating} ({self.inspected_on})"


class Role(models.TextChoices):
    OVERSIGHT_OFFICER = "oversight_officer", "Oversight officer"
    CONTRACT_MANAGER = "contract_manager", "Contract manager"
    CONTRACT_MONITOR = "contract_monitor", "Contract monitor"
    BUDGET_HOLDER = "budget_holder", "Budget holder"
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    PROCUREMENT_OFFICER = "procurement_officer", "Procurement officer"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    #: seed 003: the child's worker (gives the specification of need, ends the placement)
    KEY_WORKER = "key_worker", "Key worker"
    #: seed 003: reviews the child's placement; receives a copy of the contract
    REVIEWING_OFFICER = "reviewing_officer", "Reviewing officer"
    #: seed 003: administers the Resource Allocation Group and records its decisions
    RAG_ADMINISTRATOR = "rag_administrator", "Resource Allocation Group administrator"
    #: seed 001: reviews a contracted (charter) school against its contract's requirements
    CHARTER_REVIEW_TEAM = "charter_review_team", "Charter School Contract Review Team"
    #: seed 001: the Department of Research, Assessment and Data: sees which contracts suit the
    #: Performance Evaluation Plan and keeps each plan's timeline of data
    RESEARCH_DATA = "research_data", "Research, Assessment and Data"
    PROVIDER_USER = "provider_user", "Provider user"
    ADMINISTRATOR = "administrator", "Administrator"
    AGENCY_ADMINISTRATOR = "agency_administrator", "Agency administrator"


AGENCY_ROLES = frozenset(
    {
        Role.OVERSIGHT_OFFICER,
        Role.CONTRACT_MANAGER,
        Role.CONTRACT_MONITOR,
        Role.BUDGET_HOLDER,
        Role.FINANCE_OFFICER,
        Role.PROCUREMENT_OFFICER,
        Role.SENIOR_MANAGER,
        Role.AGENCY_ADMINISTRATOR,
        Role.KEY_WORKER,
        Role.REVIEWING_OFFICER,
        Role.RAG_ADMINISTRATOR,
        Role.CHARTER_REVIEW_TEAM,
        Role.RESEARCH_DATA,
    }
)

# Roles whose people must confirm a second factor (an authenticator app) after their password.
TWO_FACTOR_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.AGENCY_ADMINISTRATOR, Role.OVERSIGHT_OFFICER}
)


class StewardUserManager(UserManager["User"]):
    """Django's manager, except that a superuser (`steward createsuperuser`) is a site
    administrator: the role every person must have is set for them."""

    def create_superuser(  # type: ignore[override]
        self, username: str, email: str | None = None, password: str | None = None, **extra: object
    ) -> User:
        extra.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra)


class User(Versioned, AbstractUser):
    """A person. Agency staff belong to an agency, provider users to a provider; an
    administrator may belong to neither. The database enforces the pairing.

    People are deactivated (`is_active` false), never deleted: their names stay on the records
    and the audit trail they wrote."""

    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    job_title = models.CharField(max_length=120, blank=True)
    jurisdiction = models.CharField(
        max_length=120,
        blank=True,
        help_text="Oversight officers only: limit what they see to the agencies of this "
        "jurisdiction (blank: every agency).",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = StewardUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="parties_user_role_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(role=Role.PROVIDER_USER, provider__isnull=False, agency__isnull=True)
                    | Q(role=Role.ADMINISTRATOR, provider__isnull=True)
                    | Q(
                        role__in=sorted(r.value for r in AGENCY_ROLES),
                        agency__isnull=False,
                        provider__isnull=True,
                    )
                ),
                name="parties_user_role_matches_organisation",
            ),
        ]

    def __str__(self) -> str:
        """The person's name (issue 21 point 6: names, not usernames, wherever a person is
        shown, a choice list included); the username only when no name is recorded."""
        return person_name(self)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Signing in (Django saves `last_login` alone) is not an edit of the account: it must
        # not move the version on under an administrator editing it (docs/security.md §6).
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            AbstractUser.save(self, *args, **kwargs)
            return
        super().save(*args, **kwargs)

    @property
    def is_provider_user(self) -> bool:
        return self.role == Role.PROVIDER_USER

    @property
    def is_agency_staff(self) -> bool:
        return self.role in AGENCY_ROLES

    @property
    def organisation_name(self) -> str:
        if self.provider_id:
            return str(self.provider)
        if self.agency_id:
            return str(self.agency)
        return "Steward"


class ApiToken(TimeStampedModel):
    """A bearer token for API clients. Only a SHA-256 digest of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell tokens apart")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class PersonalDataRead(models.Model):
    """One request that read service users' personal data (DOMAIN.md §1: every read is logged):
    who, when, which kind of record, which records and which personal fields. One row per
    request, whatever the number of records read (issue 19 point 3). Never edited."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="personal_data_reads"
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="personal_data_reads",
        help_text="The agency whose records were read (null: several, or none).",
    )
    kind = models.CharField(max_length=40, help_text="placement, concern, ...")
    record_ids = models.JSONField(default=list)
    fields = models.JSONField(default=list, help_text="The personal fields shown")
    path = models.CharField(max_length=300, blank=True, help_text="The page or endpoint")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["agency", "-at"], name="parties_pdread_agency_at")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.kind} {self.record_ids} at {self.at}"
