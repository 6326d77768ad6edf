"""Results letters in a batch (issue 20 section 2): "Download these letters" on the cycle list,
`POST /api/v1/monitoring/results-letters` and `steward letters results` start ONE background
job (or, on the command line, draw at once) that draws every letter with the letter's own
template into one PDF; the job page counts the letters and offers the PDF. Only whoever may
read every letter of the batch starts it and downloads it; an empty batch makes no job."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from steward.core import jobs as core_jobs
from steward.core.models import Job, JobStatus
from steward.core.tests.api_support import call, token_client
from steward.monitoring.jobs import KIND
from steward.monitoring.models import Cycle
from steward.monitoring.tests.factories import walk
from steward.monitoring.tests.pages import flashed, signed_in, text
from steward.parties.models import Role
from steward.testing.factories import ContractFactory
from steward.testing.pdf_check import bookmarks, is_tagged, page_count, page_sizes

pytestmark = pytest.mark.django_db

LETTER_PAPER = (612, 792)
HEADING = "Results of the 2026 contract monitoring: contract "


def _contract(agency, provider, number, manager):
    return ContractFactory(
        agency=agency,
        provider=provider,
        number=number,
        title=f"Service {number}",
        status="active",
        contract_manager=manager,
        end_date=date(2027, 12, 31),
    )


@pytest.fixture
def other_provider_user(make_user, other_provider):
    return make_user(Role.PROVIDER_USER, provider=other_provider, username="harbor-user")


@pytest.fixture
def round_2026(agency, provider, other_provider, manager, provider_user, other_provider_user):
    """The agency's 2026 round, built through the services: results letters sent for two of
    the provider's contracts and one of the other provider's; a fourth cycle only notified."""
    sent = {}
    for number, user in (
        ("DCF-26-001", provider_user),
        ("DCF-26-002", provider_user),
        ("DCF-26-003", other_provider_user),
    ):
        owner = provider if user is provider_user else other_provider
        contract = _contract(agency, owner, number, manager)
        sent[number] = walk(contract, manager=manager, provider_user=user, to="letter")
    waiting = _contract(agency, provider, "DCF-26-004", manager)
    walk(waiting, manager=manager, provider_user=provider_user, to="notified")
    return sent


def _download(client, job: Job) -> bytes:
    response = client.get(reverse("core:job_report", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def _letters_in(pdf: bytes) -> list[str]:
    return [title.removeprefix(HEADING) for title in bookmarks(pdf, HEADING)]


# ---------------------------------------------------------------- the page


def test_download_these_letters_makes_one_pdf_of_every_letter_sent(round_2026, manager):
    client = signed_in(manager)
    listed = text(client.get(reverse("monitoring:cycles") + "?year=2026"))
    assert "Download these letters" in listed

    started = client.post(reverse("monitoring:results_letters"), {"year": "2026"})

    job = Job.objects.get(kind=KIND)
    assert started.status_code == 302 and started.url == reverse("core:job", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.owner == manager and job.rows_read == 3 and job.progress == 100
    assert job.result["letters"] == 3
    page = text(client.get(started.url))
    assert "Letters done" in page and "3 of 3" in page
    assert "Download the letters (one PDF)" in page
    pdf = _download(client, job)
    # one letter a contract, in contract order, each starting its own pages (a bookmark each)
    assert _letters_in(pdf) == ["DCF-26-001", "DCF-26-002", "DCF-26-003"]
    single = [round_2026[n].letter_document for n in ("DCF-26-001", "DCF-26-002", "DCF-26-003")]
    alone = sum(page_count(d.file.open("rb").read()) for d in single)
    assert page_count(pdf) == job.result["pages"] == alone
    assert is_tagged(pdf) and page_sizes(pdf) == {LETTER_PAPER}
    assert bookmarks(pdf, "Monitoring results letters") == ["Monitoring results letters 2026"]


def test_a_batch_of_one_letter_works(round_2026, provider_user, other_provider_user):
    """The other provider has one letter: its batch is that letter alone."""
    client = signed_in(other_provider_user)
    started = client.post(reverse("monitoring:results_letters"), {})
    job = Job.objects.get(kind=KIND)
    assert started.url == reverse("core:job", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED and job.rows_read == 1
    assert _letters_in(_download(client, job)) == ["DCF-26-003"]


def test_a_provider_gets_only_its_own_letters(round_2026, provider_user):
    client = signed_in(provider_user)
    client.post(reverse("monitoring:results_letters"), {"year": "2026"})
    job = Job.objects.get(kind=KIND)
    assert _letters_in(_download(client, job)) == ["DCF-26-001", "DCF-26-002"]


def test_an_empty_batch_says_so_and_starts_no_job(round_2026, manager):
    client = signed_in(manager)
    response = client.post(reverse("monitoring:results_letters"), {"year": "2025"}, follow=True)
    assert Job.objects.filter(kind=KIND).count() == 0
    assert response.redirect_chain[-1][0] == reverse("monitoring:cycles") + "?year=2025"
    assert any("nothing to download" in m for m in flashed(response))


def test_the_request_only_starts_the_job_and_the_worker_draws(round_2026, manager, settings):
    """Nothing is drawn inside the request: with a real queue the job waits, untouched, and
    the worker then draws it, telling the job page each letter done."""
    import weasyprint

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    real_html = weasyprint.HTML
    drawn: list[str] = []

    def html(*args, **kwargs):
        drawn.append("drawn")
        return real_html(*args, **kwargs)

    weasyprint.HTML = html
    try:
        started = signed_in(manager).post(reverse("monitoring:results_letters"), {"year": "2026"})
        job = Job.objects.get(kind=KIND)
        assert started.url == reverse("core:job", args=[job.pk])
        assert drawn == [] and job.status == JobStatus.QUEUED and not job.report
        assert job.params["total"] == 3 and job.params["unit"] == "letters"
        assert "0 of 3" in text(signed_in(manager).get(started.url))

        assert core_jobs.run(job.pk) == JobStatus.SUCCEEDED
    finally:
        weasyprint.HTML = real_html
    assert drawn == ["drawn"] * 3
    job.refresh_from_db()
    assert job.rows_read == 3 and job.report


def test_progress_counts_the_letters_drawn(round_2026, manager, monkeypatch):
    written: list[dict] = []
    monkeypatch.setattr(core_jobs, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(core_jobs.Progress, "_write", lambda self, values: written.append(values))
    signed_in(manager).post(reverse("monitoring:results_letters"), {"year": "2026"})
    assert [(w["rows_read"], w["progress"]) for w in written] == [
        (0, 0),
        (1, 33),
        (2, 66),
        (3, 99),
    ]
    assert Job.objects.get(kind=KIND).progress == 100  # and done


def test_who_may_start_a_batch_on_the_page(round_2026, agency, other_agency, make_user, client):
    # an oversight officer of another jurisdiction may not ask for this agency's letters
    agency.jurisdiction = "Connecticut"
    agency.save()
    watcher = make_user(
        Role.OVERSIGHT_OFFICER,
        agency=other_agency,
        username="watcher",
        jurisdiction="Massachusetts",
    )
    url = reverse("monitoring:results_letters")
    assert signed_in(watcher).post(url, {"agency": agency.pk}).status_code == 403
    # another agency's manager gets their own agency's letters: none, and no job
    theirs = make_user(Role.CONTRACT_MANAGER, agency=other_agency, username="dmh-manager")
    response = signed_in(theirs).post(url, {"year": "2026"}, follow=True)
    assert any("nothing to download" in m for m in flashed(response))
    # signed out: to the sign-in page
    assert client.post(url, {"year": "2026"}).status_code == 302
    assert Job.objects.filter(kind=KIND).count() == 0


def test_the_download_asks_again_who_may_read_every_letter(round_2026, manager, other_agency):
    client = signed_in(manager)
    client.post(reverse("monitoring:results_letters"), {"year": "2026"})
    job = Job.objects.get(kind=KIND)
    assert client.get(reverse("core:job_report", args=[job.pk])).status_code == 200
    manager.agency = other_agency  # moved to another agency since
    manager.save()
    assert client.get(reverse("core:job_report", args=[job.pk])).status_code == 403


# ---------------------------------------------------------------- the API


def test_the_api_starts_one_job_and_answers_at_once(round_2026, manager, make_user):
    client = token_client(manager)
    response = call(client, "post", "/monitoring/results-letters", {"year": 2026, "agency": "dcf"})
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == f"/api/v1/jobs/{body['id']}"
    followed = call(client, "get", f"/jobs/{body['id']}").json()
    assert followed["status"] == "succeeded" and followed["rows_read"] == 3
    assert followed["result"]["letters"] == 3 and followed["report_url"]
    download = call(client, "get", f"/jobs/{body['id']}/report")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert len(_letters_in(b"".join(download.streaming_content))) == 3
    # someone else's token: no such job for them
    other = token_client(make_user(Role.CONTRACT_MANAGER, username="m3"))
    assert call(other, "get", f"/jobs/{body['id']}/report").status_code == 404


def test_the_api_draws_exactly_the_cycles_named(round_2026, manager):
    one = round_2026["DCF-26-002"]
    response = call(
        token_client(manager), "post", "/monitoring/results-letters", {"cycles": [one.pk]}
    )
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.params["cycles"] == [one.pk] and job.rows_read == 1


def test_the_api_refuses_letters_the_caller_may_not_read(
    round_2026, provider_user, other_provider, other_agency, make_user
):
    path = "/monitoring/results-letters"
    client = token_client(provider_user)
    # a provider asking for another provider's letters, by provider or by cycle
    assert call(client, "post", path, {"provider": other_provider.pk}).status_code == 403
    theirs = round_2026["DCF-26-003"]
    mixed = {"cycles": [round_2026["DCF-26-001"].pk, theirs.pk]}
    assert call(client, "post", path, mixed).status_code == 403
    # another agency's manager asking for this agency's letters, by agency or by cycle
    dmh = token_client(make_user(Role.CONTRACT_MANAGER, agency=other_agency, username="dmh-m"))
    assert call(dmh, "post", path, {"agency": "dcf"}).status_code == 403
    assert call(dmh, "post", path, {"cycles": [theirs.pk]}).status_code == 403
    # a cycle with no letter yet cannot be in a batch
    waiting = Cycle.objects.get(contract__number="DCF-26-004")
    manager_client = token_client(make_user(Role.CONTRACT_MANAGER, username="m2"))
    assert call(manager_client, "post", path, {"cycles": [waiting.pk]}).status_code == 403
    assert call(manager_client, "post", path, {"agency": "nowhere"}).status_code == 404
    assert Job.objects.filter(kind=KIND).count() == 0


def test_the_api_answers_an_empty_batch_with_the_reason(round_2026, manager):
    response = call(token_client(manager), "post", "/monitoring/results-letters", {"year": 2031})
    assert response.status_code == 422
    assert "nothing to download" in response.json()["detail"]
    assert Job.objects.filter(kind=KIND).count() == 0


def test_someone_else_cannot_download_the_batch(round_2026, manager, provider_user):
    signed_in(manager).post(reverse("monitoring:results_letters"), {"year": "2026"})
    job = Job.objects.get(kind=KIND)
    response = signed_in(provider_user).get(reverse("core:job_report", args=[job.pk]))
    assert response.status_code == 404


# ---------------------------------------------------------------- the command line


def test_the_command_writes_the_same_pdf(round_2026, tmp_path, provider_user):
    target = tmp_path / "round.pdf"
    call_command("letters", "results", "--year", "2026", "--agency", "dcf", "-o", str(target))
    assert _letters_in(target.read_bytes()) == ["DCF-26-001", "DCF-26-002", "DCF-26-003"]
    mine = tmp_path / "mine.pdf"
    call_command("letters", "results", "--as", provider_user.username, "-o", str(mine))
    assert _letters_in(mine.read_bytes()) == ["DCF-26-001", "DCF-26-002"]


def test_the_command_says_when_there_is_nothing_to_draw(round_2026, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No results letter"):
        call_command("letters", "results", "--year", "2019", "-o", str(tmp_path / "x.pdf"))
