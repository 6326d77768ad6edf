"""The sharing pages (seeds 000 and 001): a provider's past performance across agencies and the
provider page's section, the contract page's evaluations panel, reports in lieu of the
evaluation form and the oversight officer's decision, renewal eligibility and the senior
manager's override; who may open each, and bounded queries whatever the rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from steward.contracts.models import Contract, DueDateStatus
from steward.evaluations import selectors, services
from steward.evaluations.models import InLieuReport, InLieuStatus, RenewalOverride
from steward.evaluations.tests.factories import completed_contract, walk
from steward.parties.models import Role
from steward.testing.factories import AgencyFactory, ProviderFactory

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)  # before the closeout due date (29 August)
PDF = b"%PDF-1.4 a small report\n%%EOF\n"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"evaluations:{name}", args=args)


def pdf(name: str = "x.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def monitor(make_user):
    return make_user(Role.CONTRACT_MONITOR, username="monitor")


@pytest.fixture
def officer(make_user):
    return make_user(Role.OVERSIGHT_OFFICER, username="officer")


@pytest.fixture
def other_manager(make_user, other_agency):
    return make_user(Role.CONTRACT_MANAGER, username="other-manager", agency=other_agency)


@pytest.fixture
def provider_user(make_user):
    return make_user(Role.PROVIDER_USER, username="provider-user")


@pytest.fixture
def closed(manager, provider):
    return completed_contract(manager, provider=provider, number="DCF-25-100")


@pytest.fixture
def final_and_draft(manager, monitor, provider):
    """A finalised evaluation of one contract and a draft of another, same agency and provider."""
    done = completed_contract(manager, provider=provider, number="DCF-25-FINAL")
    final = walk(done, author=monitor, to="finalised", reviewer=manager)
    pending = completed_contract(manager, provider=provider, number="DCF-25-DRAFT")
    draft = walk(pending, author=monitor, to="draft")
    return final, draft


# ---------------------------------------------------------------- past performance


@pytest.mark.parametrize(
    "role, status",
    [
        (Role.CONTRACT_MANAGER, 200),
        (Role.CONTRACT_MONITOR, 200),
        (Role.SENIOR_MANAGER, 200),
        (Role.FINANCE_OFFICER, 200),
        (Role.OVERSIGHT_OFFICER, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.PROVIDER_USER, 200),
    ],
)
def test_provider_page_opens_for_allowed_roles(make_user, provider, role, status):
    response = signed_in(make_user(role)).get(url("provider", provider.pk))
    assert response.status_code == status
    assert "Past performance of" in response.content.decode()


def test_provider_page_needs_sign_in(client, provider):
    response = client.get(url("provider", provider.pk))
    assert response.status_code == 302


def test_provider_user_sees_only_their_own_provider(provider_user, other_provider):
    client = signed_in(provider_user)
    assert client.get(url("provider", other_provider.pk)).status_code == 404
    assert client.get(url("provider", provider_user.provider_id)).status_code == 200


def test_unknown_provider_is_404(manager):
    assert signed_in(manager).get(url("provider", 999999)).status_code == 404


def test_other_agency_sees_the_finalised_evaluation_not_the_draft(
    final_and_draft, other_manager, provider
):
    final, draft = final_and_draft
    body = signed_in(other_manager).get(url("provider", provider.pk)).content.decode()
    assert "DCF-25-FINAL" in body
    assert str(final.score) in body
    assert url("detail", final.pk) in body
    assert "DCF-25-DRAFT" not in body
    assert url("detail", draft.pk) not in body
    assert "Department of Children and Families" in body  # the agency that wrote it


def test_own_agency_sees_its_draft_marked(final_and_draft, manager, provider):
    final, _ = final_and_draft
    body = signed_in(manager).get(url("provider", provider.pk)).content.decode()
    assert "DCF-25-DRAFT" in body
    assert "Draft, seen only in the writing agency" in body
    assert "Finalised, shared" in body
    assert f"{final.score}</span> out of 100" in body  # the average of one finalised evaluation


def test_provider_user_sees_released_and_final_never_drafts(
    final_and_draft, manager, monitor, provider, provider_user
):
    released = walk(
        completed_contract(manager, provider=provider, number="DCF-25-REL"),
        author=monitor,
        to="released",
    )
    body = signed_in(provider_user).get(url("provider", provider.pk)).content.decode()
    assert "DCF-25-FINAL" in body
    assert url("detail", released.pk) in body
    assert "Released to the provider, not final yet" in body
    assert "DCF-25-DRAFT" not in body


def test_provider_page_shows_the_score_history_chart_and_table(
    final_and_draft, other_manager, provider
):
    final, _ = final_and_draft
    body = signed_in(other_manager).get(url("provider", provider.pk)).content.decode()
    assert '<svg width="560"' in body
    assert 'aria-hidden="true"' in body
    assert "Score history: finalised on, agency, contract and score" in body
    assert final.finalised_on.strftime("%-d %b %Y") in body


def test_a_corrected_evaluation_counts_once(final_and_draft, manager, monitor, provider):
    final, _ = final_and_draft
    correction = services.evaluation_correct(
        actor=monitor,
        evaluation=final,
        reason="A rating was entered wrongly.",
        today=date(2026, 9, 1),
    )
    services.evaluation_update(
        actor=monitor,
        evaluation=correction,
        ratings={c["key"]: 3 for c in correction.criteria},
    )
    services.evaluation_release(actor=monitor, evaluation=correction, today=date(2026, 9, 1))
    correction.refresh_from_db()
    services.evaluation_finalise(
        actor=manager,
        evaluation=correction,
        today=correction.comment_due + timedelta(days=1),
    )
    correction.refresh_from_db()
    body = signed_in(manager).get(url("provider", provider.pk)).content.decode()
    assert "Superseded by version 2" in body
    assert f"{correction.score}</span> out of 100, over 1 finalised evaluation" in body


def test_accepted_in_lieu_reports_are_listed(manager, officer, provider, closed):
    report = services.in_lieu_submit(
        actor=manager,
        contract=closed,
        kind="report_card",
        title="Annual report card 2026",
        link="https://example.gov/report-card.pdf",
        today=date(2026, 8, 1),
    )
    services.in_lieu_decide(
        actor=officer, report=report, accept=True, reason="", today=date(2026, 8, 2)
    )
    body = signed_in(officer).get(url("provider", provider.pk)).content.decode()
    assert "Annual report card 2026" in body
    assert url("in_lieu", report.pk) in body


def _finalised_many(manager, monitor, provider, count: int, prefix: str) -> None:
    for i in range(count):
        contract = completed_contract(manager, provider=provider, number=f"{prefix}-{i:03}")
        walk(contract, author=monitor, to="finalised", reviewer=manager)


def test_provider_page_queries_do_not_grow_with_evaluations(
    manager, monitor, other_manager, provider, django_assert_max_num_queries
):
    _finalised_many(manager, monitor, provider, 1, "A")
    client = signed_in(other_manager)
    client.get(url("provider", provider.pk))  # warm the session
    with django_assert_max_num_queries(8):
        assert client.get(url("provider", provider.pk)).status_code == 200
    _finalised_many(manager, monitor, ProviderFactory(), 1, "B")
    _finalised_many(manager, monitor, provider, 7, "C")
    with django_assert_max_num_queries(8):
        response = client.get(url("provider", provider.pk))
    assert response.content.decode().count('data-state="finalised"') == 8


# ---------------------------------------------------------------- the provider page's section


def test_provider_page_has_the_evaluations_section(final_and_draft, other_manager, provider):
    final, _ = final_and_draft
    body = (
        signed_in(other_manager)
        .get(reverse("parties:provider_detail", args=[provider.slug]))
        .content.decode()
    )
    assert 'id="provider-evaluations"' in body
    assert url("provider", provider.pk) in body
    assert url("detail", final.pk) in body


def test_provider_section_shows_only_finalised(final_and_draft, manager, provider):
    body = (
        signed_in(manager).get(reverse("parties:provider_detail", args=[provider.slug])).content
    ).decode()
    section = body.split('id="provider-evaluations"', 1)[1].split("</section>", 1)[0]
    assert "DCF-25-FINAL" in section
    assert "DCF-25-DRAFT" not in section


def test_provider_user_section_on_own_page(final_and_draft, provider_user, provider):
    response = signed_in(provider_user).get(
        reverse("parties:provider_detail", args=[provider.slug])
    )
    assert response.status_code == 200
    body = response.content.decode()
    section = body.split('id="provider-evaluations"', 1)[1].split("</section>", 1)[0]
    assert "DCF-25-FINAL" in section
    assert "DCF-25-DRAFT" not in section


# ---------------------------------------------------------------- the contract page's panel


@time_machine.travel(TODAY, tick=False)
def test_contract_panel_shows_due_date_and_start_button(manager, closed):
    body = signed_in(manager).get(reverse("contracts:detail", args=[closed.pk])).content.decode()
    assert 'id="evaluations-panel"' in body
    assert "29 August 2026" in body
    assert "19 days left" in body
    assert f'action="{url("start", closed.pk)}"' in body
    assert 'name="kind" value="closeout"' in body
    assert url("in_lieu_new", closed.pk) in body
    assert "Renewal eligibility" in body


@time_machine.travel(TODAY, tick=False)
def test_contract_panel_for_the_provider_has_no_renewal_or_actions(final_and_draft, provider_user):
    final, _ = final_and_draft
    body = (
        signed_in(provider_user)
        .get(reverse("contracts:detail", args=[final.contract_id]))
        .content.decode()
    )
    assert 'id="evaluations-panel"' in body
    assert url("detail", final.pk) in body
    assert "Renewal eligibility" not in body
    assert url("start", final.contract_id) not in body
    assert url("in_lieu_new", final.contract_id) not in body


@time_machine.travel(TODAY, tick=False)
def test_contract_panel_for_a_senior_manager_no_start(make_user, closed):
    senior = make_user(Role.SENIOR_MANAGER)
    body = signed_in(senior).get(reverse("contracts:detail", args=[closed.pk])).content.decode()
    assert 'id="evaluations-panel"' in body
    assert url("start", closed.pk) not in body
    assert "Renewal eligibility" in body


# ---------------------------------------------------------------- reports in lieu


@time_machine.travel(TODAY, tick=False)
def test_in_lieu_submit_accept_makes_the_due_date_done_on_time(manager, officer, closed):
    client = signed_in(manager)
    assert client.get(url("in_lieu_new", closed.pk)).status_code == 200
    response = client.post(
        url("in_lieu_new", closed.pk),
        {
            "kind": "report_card",
            "title": "Report card, fiscal year 2026",
            "summary": "Outcomes met for 92% of families.",
            "link": "",
            "file": pdf(),
        },
    )
    report = InLieuReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("in_lieu", report.pk)
    assert report.status == InLieuStatus.SUBMITTED
    assert report.original_name == "x.pdf"

    download = client.get(url("in_lieu_file", report.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF

    officer_client = signed_in(officer)
    queue = officer_client.get(url("in_lieu_list")).content.decode()
    assert "Awaiting your decision (1)" in queue
    assert "Report card, fiscal year 2026" in queue
    page = officer_client.get(url("in_lieu", report.pk)).content.decode()
    assert "Record the decision" in page
    response = officer_client.post(url("in_lieu", report.pk), {"decision": "accept", "reason": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == InLieuStatus.ACCEPTED
    due = report.due
    assert due.status == DueDateStatus.DONE
    assert due.completed_on == date(2026, 8, 10) <= due.due_date
    row = next(
        r
        for r in selectors.compliance_table(actor=officer, today=date(2026, 9, 30))
        if r.agency.pk == closed.agency_id
    )
    assert (row.on_time, row.late, row.missing) == (1, 0, 0)
    assert (
        "Record the decision" not in officer_client.get(url("in_lieu", report.pk)).content.decode()
    )


@time_machine.travel(TODAY, tick=False)
def test_rejection_needs_a_reason(manager, officer, closed):
    report = services.in_lieu_submit(
        actor=manager,
        contract=closed,
        kind="quality_assurance",
        title="QA review",
        link="https://example.gov/qa.pdf",
        today=date(2026, 8, 10),
    )
    client = signed_in(officer)
    response = client.post(url("in_lieu", report.pk), {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    assert "A rejection needs a reason." in response.content.decode()
    report.refresh_from_db()
    assert report.status == InLieuStatus.SUBMITTED
    response = client.post(
        url("in_lieu", report.pk),
        {"decision": "reject", "reason": "It covers another fiscal year."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == InLieuStatus.REJECTED
    assert report.due.status == DueDateStatus.OPEN
    body = signed_in(manager).get(url("in_lieu", report.pk)).content.decode()
    assert "It covers another fiscal year." in body


@time_machine.travel(TODAY, tick=False)
def test_in_lieu_form_shows_the_service_refusals(manager, closed):
    client = signed_in(manager)
    response = client.post(
        url("in_lieu_new", closed.pk), {"kind": "report_card", "title": "", "link": ""}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Give the report a title." in body
    assert "Attach the report or give a link to it." in body
    response = client.post(
        url("in_lieu_new", closed.pk),
        {"kind": "report_card", "title": "Report", "file": pdf("x.pdf", b"MZ not a pdf")},
    )
    assert response.status_code == 200
    assert 'id="id_file-error"' in response.content.decode()
    assert not InLieuReport.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_in_lieu_pending_refuses_a_second(manager, closed):
    client = signed_in(manager)
    data = {"kind": "report_card", "title": "R", "link": "https://example.gov/r.pdf"}
    assert client.post(url("in_lieu_new", closed.pk), data).status_code == 302
    response = client.post(url("in_lieu_new", closed.pk), data)
    assert response.status_code == 200
    assert "already awaiting a decision" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_in_lieu_permissions(manager, officer, other_manager, provider_user, make_user, closed):
    report = services.in_lieu_submit(
        actor=manager,
        contract=closed,
        kind="report_card",
        title="Card of the year",
        upload=pdf(),
        today=date(2026, 8, 10),
    )
    # provider users: never
    provider_client = signed_in(provider_user)
    assert provider_client.get(url("in_lieu_list")).status_code == 403
    assert provider_client.get(url("in_lieu", report.pk)).status_code == 404
    assert provider_client.get(url("in_lieu_file", report.pk)).status_code == 404
    assert provider_client.get(url("in_lieu_new", closed.pk)).status_code == 403
    # another agency: not until it is accepted
    other = signed_in(other_manager)
    assert other.get(url("in_lieu", report.pk)).status_code == 404
    assert other.get(url("in_lieu_file", report.pk)).status_code == 404
    assert other.get(url("in_lieu_new", closed.pk)).status_code == 404
    assert "Card of the year" not in other.get(url("in_lieu_list")).content.decode()
    # a contract manager may not decide; a senior manager may not submit
    assert (
        signed_in(manager).post(url("in_lieu", report.pk), {"decision": "accept"}).status_code
        == 403
    )
    senior = signed_in(make_user(Role.SENIOR_MANAGER))
    assert senior.get(url("in_lieu_new", closed.pk)).status_code == 403
    assert senior.get(url("in_lieu", report.pk)).status_code == 200
    services.in_lieu_decide(
        actor=officer, report=report, accept=True, reason="", today=date(2026, 8, 11)
    )
    assert other.get(url("in_lieu", report.pk)).status_code == 200
    assert other.get(url("in_lieu_file", report.pk)).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_in_lieu_list_filters_by_status_and_agency(manager, officer, other_manager, closed):
    accepted = services.in_lieu_submit(
        actor=manager,
        contract=closed,
        kind="report_card",
        title="Accepted card",
        link="https://example.gov/a.pdf",
        today=date(2026, 8, 1),
    )
    services.in_lieu_decide(
        actor=officer, report=accepted, accept=True, reason="", today=date(2026, 8, 2)
    )
    other_contract = completed_contract(other_manager, number="DMH-25-001")
    services.in_lieu_submit(
        actor=other_manager,
        contract=other_contract,
        kind="quality_assurance",
        title="Waiting QA",
        link="https://example.gov/b.pdf",
        today=date(2026, 8, 3),
    )
    officer_client = signed_in(officer)
    body = officer_client.get(url("in_lieu_list")).content.decode()
    assert body.index("Waiting QA") < body.index("Accepted card")
    body = officer_client.get(url("in_lieu_list"), {"status": "accepted"}).content.decode()
    assert "Accepted card" in body
    assert "Waiting QA" not in body
    # agency staff: their own agency's
    body = signed_in(manager).get(url("in_lieu_list")).content.decode()
    assert "Accepted card" in body
    assert "Waiting QA" not in body
    assert "Awaiting the oversight officer" in body


# ---------------------------------------------------------------- renewal eligibility (seed 001)


@pytest.fixture
def mps(packs):
    return AgencyFactory(name="Milwaukee Public Schools", slug="mps", pack=packs["milwaukee-mps"])


@pytest.fixture
def mps_staff(make_user, mps):
    return {
        "manager": make_user(Role.CONTRACT_MANAGER, username="mps-manager", agency=mps),
        "monitor": make_user(Role.CONTRACT_MONITOR, username="mps-monitor", agency=mps),
        "senior": make_user(Role.SENIOR_MANAGER, username="mps-senior", agency=mps),
    }


@pytest.fixture
def mps_contract(mps_staff, provider):
    return completed_contract(
        mps_staff["manager"], provider=provider, number="MPS-25-007", renewal_options=2
    )


def _score_8875(contract, staff):
    """4 on every criterion but service delivery (30) and financial management (15) at 3:
    100 − 7.5 − 3.75 = 88.75, below the Milwaukee pack's 90."""
    ratings = {
        "service_delivery": 3,
        "quality": 4,
        "timeliness": 4,
        "financial": 3,
        "management": 4,
    }
    return walk(
        contract,
        author=staff["monitor"],
        to="finalised",
        ratings=ratings,
        reviewer=staff["manager"],
    )


def test_renewal_not_eligible_below_the_milwaukee_threshold(mps_contract, mps_staff):
    evaluation = _score_8875(mps_contract, mps_staff)
    assert evaluation.score == Decimal("88.75")
    response = signed_in(mps_staff["manager"]).get(url("renewal", mps_contract.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Not eligible for renewal or extension" in body
    assert "88.75" in body
    assert "90 or higher" in body
    assert "Record the override" not in body
    assert services.renewal_eligibility(mps_contract).reason in body


def test_renewal_page_at_89_99(mps_contract, mps_staff, monkeypatch):
    monkeypatch.setattr(services, "latest_scores", lambda ids: {mps_contract.pk: Decimal("89.99")})
    body = signed_in(mps_staff["manager"]).get(url("renewal", mps_contract.pk)).content.decode()
    assert "Not eligible for renewal or extension" in body
    assert "The latest evaluation scored 89.99, below the 90 needed" in body
    monkeypatch.setattr(services, "latest_scores", lambda ids: {mps_contract.pk: Decimal("90.00")})
    body = signed_in(mps_staff["manager"]).get(url("renewal", mps_contract.pk)).content.decode()
    assert "Eligible for renewal or extension" in body


def test_renewal_override_by_a_senior_manager(mps_contract, mps_staff):
    _score_8875(mps_contract, mps_staff)
    # the same contract still running (an override is only for an executed or active one)
    Contract.objects.filter(pk=mps_contract.pk).update(status="active")
    manager_client = signed_in(mps_staff["manager"])
    response = manager_client.post(
        url("renewal", mps_contract.pk),
        {"justification": "The provider is the only one serving this area."},
    )
    assert response.status_code == 403
    assert not RenewalOverride.objects.exists()

    senior = signed_in(mps_staff["senior"])
    body = senior.get(url("renewal", mps_contract.pk)).content.decode()
    assert "Record the override" in body
    response = senior.post(url("renewal", mps_contract.pk), {"justification": "Too short"})
    assert response.status_code == 200
    assert "At least 20 characters" in response.content.decode()
    assert not RenewalOverride.objects.exists()
    response = senior.post(
        url("renewal", mps_contract.pk),
        {"justification": "The provider is the only one serving this area."},
    )
    assert response.status_code == 302
    override = RenewalOverride.objects.get()
    assert override.renewal_number == 1
    assert override.score_at_override == Decimal("88.75")
    body = senior.get(url("renewal", mps_contract.pk)).content.decode()
    assert "allowed by an override" in body
    assert "Record the override" not in body
    assert "The provider is the only one serving this area." in body


def test_renewal_page_permissions(mps_contract, mps_staff, provider_user, other_manager, officer):
    assert signed_in(officer).get(url("renewal", mps_contract.pk)).status_code == 200
    assert signed_in(provider_user).get(url("renewal", mps_contract.pk)).status_code == 403
    assert signed_in(other_manager).get(url("renewal", mps_contract.pk)).status_code == 404
    assert (
        signed_in(officer)
        .post(url("renewal", mps_contract.pk), {"justification": "x" * 30})
        .status_code
        == 403
    )


def test_contract_panel_shows_renewal_and_the_override_button(mps_contract, mps_staff):
    _score_8875(mps_contract, mps_staff)
    Contract.objects.filter(pk=mps_contract.pk).update(status="active")  # still running
    body = (
        signed_in(mps_staff["senior"])
        .get(reverse("contracts:detail", args=[mps_contract.pk]))
        .content.decode()
    )
    assert "<strong>Not eligible</strong> for renewal or extension." in body
    assert "Record a renewal override" in body
    body = (
        signed_in(mps_staff["manager"])
        .get(reverse("contracts:detail", args=[mps_contract.pk]))
        .content.decode()
    )
    assert "<strong>Not eligible</strong>" in body
    assert "Record a renewal override" not in body


def test_renewal_form_shows_the_eligibility(mps_contract, mps_staff):
    body = (
        signed_in(mps_staff["manager"])
        .get(reverse("contracts:renewal_create", args=[mps_contract.pk]))
        .content.decode()
    )
    assert "Not eligible for renewal" in body
    assert url("renewal", mps_contract.pk) in body
