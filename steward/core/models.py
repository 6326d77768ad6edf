"""Core models: policy packs (the rules each agency follows, as data) and the outbox of
emails."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
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
    #: the pack's `version` is also its optimistic-concurrency version (ETag, the edit page's
    #: hidden field; checked under the row lock by policy_pack_update; docs/security.md §6)
    version_field = "version"
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


class OutboundEmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboundEmail(TimeStampedModel):
    """An email Steward sends, kept as it was sent (the outbox; see `steward.core.mail`).

    Written in the same transaction as the change the email reports, so that a rolled-back
    change leaves no email; sent once that transaction commits; a failed send is kept
    `failed` with its error for `steward mail retry`."""

    subject = models.CharField(max_length=998)  # RFC 5322's limit for a header line
    body = models.TextField()
    from_email = models.CharField(max_length=254)
    recipients = models.JSONField(default=list, help_text="The addresses it is sent to")
    status = models.CharField(
        max_length=10, choices=OutboundEmailStatus.choices, default=OutboundEmailStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbound email"
        indexes = [models.Index(fields=["status", "created_at"], name="core_outbound_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=OutboundEmailStatus.values),
                name="core_outboundemail_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class Job(TimeStampedModel):
    """A piece of long work done in the background for a person (an import, a batch of
    letters) or for Steward itself (the daily jobs): what it is, how far it got, what it
    found. See `steward.core.jobs` and docs/background-jobs.md."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    kind = models.CharField(max_length=60)
    label = models.CharField(max_length=200, help_text="What the job is, in plain words")
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    params = models.JSONField(default=dict, blank=True)
    upload = models.CharField(max_length=500, blank=True, help_text="Stored upload it reads")
    rows_read = models.PositiveBigIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done, 0–100")
    summary = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    report = models.CharField(max_length=500, blank=True, help_text="Stored report file")
    report_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "created_at"], name="core_job_owner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="core_job_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="core_job_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class DailyRun(models.Model):
    """The daily jobs of one day: claimed by one worker (a conditional update), so that with
    several workers, or a timer and a person typing `steward daily`, they run once."""

    day = models.DateField(unique=True)
    status = models.CharField(max_length=10, default="claimed")  # claimed / done / failed
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Daily jobs of {self.day:%Y-%m-%d} ({self.status})"
