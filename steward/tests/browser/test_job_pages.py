"""Journey: a person follows a background job (issue 20): the page while it runs (a progress
bar, a reload link), a failed job's retry, the list of jobs; every page axe-checked."""

from __future__ import annotations

import pytest
from django.utils import timezone

from steward.core.models import Job, JobStatus
from steward.testing.factories import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_job_pages_running_and_failed(watched, manager):
    now = timezone.now()
    running = Job.objects.create(
        owner=manager,
        kind="contracts.import",
        label="Register import: register.csv",
        status=JobStatus.RUNNING,
        rows_read=1200,
        problems=2,
        progress=40,
        started_at=now,
        heartbeat_at=now,
    )
    failed = Job.objects.create(
        owner=manager,
        kind="contracts.import",
        label="Register import: other.csv",
        status=JobStatus.FAILED,
        error="The worker stopped before the job finished.",
        finished_at=now,
    )
    page = watched.page
    sign_in(watched, manager.username, PASSWORD)
    page.goto(f"/jobs/{running.pk}/")
    page.wait_for_load_state()
    assert page.get_by_label("Progress").is_visible()
    assert "1200" in page.locator("#job-status").inner_text()
    watched.check()
    page.goto(f"/jobs/{failed.pk}/")
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="The job failed").is_visible()
    assert page.get_by_role("button", name="Retry the job").is_visible()
    watched.check()
    page.goto("/jobs/")
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Register import: other.csv").is_visible()
    watched.check()
