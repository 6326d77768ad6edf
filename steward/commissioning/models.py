"""Strategic commissioning (seed 003 sections 2 and 3): the needs analysis (need for services
and patterns of use per service type and area), the market intelligence that monitoring feeds
into it, the area each contract serves (so supply can be set against demand), and the
commissioning decision for each sector (service type)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from steward.core.models import TimeStampedModel


class NeedRecord(TimeStampedModel):
    """seed 003 2(A)(i): for one service type and area over one period, how many people need
    the service (`need`, from the data on need for services) and how many used it (`use`, the
    patterns of use). Written only by the needs import."""

    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    service_type = models.CharField(max_length=120)
    area = models.CharField(max_length=120)
    period_start = models.DateField()
    period_end = models.DateField()
    need = models.PositiveIntegerField(help_text="People assessed as needing the service")
    use = models.PositiveIntegerField(help_text="People who used the service in the period")
    source = models.CharField(max_length=200, blank=True, help_text="The file it came from")
    history = HistoricalRecords()

    class Meta:
        ordering = ["service_type", "area", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "service_type", "area", "period_start"],
                name="commissioning_need_unique_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="commissioning_need_end_not_before_start",
            ),
        ]


class ContractArea(TimeStampedModel):
    """The area a contract's places serve, so that its capacity counts as supply there."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.CASCADE, related_name="commissioning_area"
    )
    area = models.CharField(max_length=120)
    history = HistoricalRecords()


class IntelligenceKind(models.TextChoices):
    """seed 003 section 4 "Strategic Monitoring of Contracts": what monitoring feeds into the
    strategic level of commissioning."""

    STRENGTH = "strength", "Strength in provision"
    WEAKNESS = "weakness", "Weakness in provision"
    GAP = "gap", "Gap in provision"
    WILLINGNESS = "willingness", "Willingness and capacity to adjust or develop services"
    PROVIDER_VIEW = "provider_view", "Provider's view for strategic planning"
    JOINT = "joint", "Potential for joint commissioning"


class MarketNote(TimeStampedModel):
    """One piece of market intelligence about a provider, a service type, or both; it may come
    from a monitoring cycle. Joint commissioning names the partner (another council or
    organisation)."""

    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "parties.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_type = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=20, choices=IntelligenceKind.choices)
    text = models.TextField()
    partner = models.CharField(
        max_length=200, blank=True, help_text="The other council or organisation"
    )
    cycle = models.ForeignKey(
        "monitoring.Cycle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__isnull=False) | ~Q(service_type=""),
                name="commissioning_note_about_something",
                violation_error_message="Say which provider or service type this is about.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="joint") | ~Q(partner=""),
                name="commissioning_note_joint_has_partner",
                violation_error_message="Name the council or organisation to commission with.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=IntelligenceKind.values),
                name="commissioning_note_kind_valid",
            ),
        ]


class Decision(models.TextChoices):
    """seed 003 (B)(i): does the sector achieve agreed outcomes, does it need to shrink or grow,
    or be decommissioned?"""

    ACHIEVE = "achieve", "Achieves agreed outcomes: keep as it is"
    GROW = "grow", "Grow"
    SHRINK = "shrink", "Shrink"
    DECOMMISSION = "decommission", "Decommission"


class SectorDecision(TimeStampedModel):
    """One commissioning decision for a sector (a service type) with its reasons. The latest is
    the sector's current decision; earlier ones stay as its record."""

    agency = models.ForeignKey("parties.Agency", on_delete=models.PROTECT, related_name="+")
    service_type = models.CharField(max_length=120)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reasons = models.TextField()
    decided_on = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values),
                name="commissioning_decision_valid",
            ),
            models.CheckConstraint(
                condition=~Q(reasons=""), name="commissioning_decision_has_reasons"
            ),
        ]
