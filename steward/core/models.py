"""Core models: policy packs (the rules each agency follows, as data)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from steward.core.packs import PackError, PackRules


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PolicyPack(TimeStampedModel):
    """A policy pack: deadlines, calendar, thresholds and terms, stored as validated JSON.

    Shipped packs reproduce the seeds and are read-only; an oversight officer copies one and
    edits the copy. Every edit bumps `version` and is kept in the history.
    """

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    seed = models.CharField(max_length=10, blank=True, help_text="Seed policy text it reproduces")
    shipped = models.BooleanField(
        default=False, help_text="Shipped with Steward from a seed; read-only, copy to change."
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="copies"
    )
    version = models.PositiveIntegerField(default=1)
    rules = models.JSONField(help_text="The pack's figures; validated by steward.core.packs")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            parsed = PackRules.from_dict(self.rules)
        except PackError as exc:
            raise ValidationError({"rules": str(exc)}) from exc
        if parsed.slug != self.slug:
            raise ValidationError({"rules": f"slug in rules ({parsed.slug}) must be {self.slug}"})

    @cached_property
    def parsed(self) -> PackRules:
        """The pack's rules as a PackRules value (raises PackError if the stored JSON is bad)."""
        return PackRules.from_dict(self.rules)

    def rules_dict(self) -> dict[str, Any]:
        return dict(self.rules)
