"""A provider's past performance across agencies (seed 000) and the provider page's section:
who may open it, what each agency and the provider see (drafts, released, finalised,
superseded), the score history, reports accepted in lieu, and bounded queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from steward.evaluations import services
from steward.evaluations.tests.factories import completed_contract, walk
from steward.evaluations.tests.pages import signed_in, url
from steward.parties.models import Role
from steward.testing.factories import ProviderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


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
    assert f"{final.finalised_on.day} {final.finalised_on:%B %Y}" in body


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
        .get(reverse("directory:provider_detail", args=[provider.slug]))
        .content.decode()
    )
    assert 'id="provider-evaluations"' in body
    assert url("provider", provider.pk) in body
    assert url("detail", final.pk) in body


def test_provider_section_shows_only_finalised(final_and_draft, manager, provider):
    body = (
        signed_in(manager).get(reverse("directory:provider_detail", args=[provider.slug])).content
    ).decode()
    section = body.split('id="provider-evaluations"', 1)[1].split("</section>", 1)[0]
    assert "DCF-25-FINAL" in section
    assert "DCF-25-DRAFT" not in section


def test_provider_user_section_on_own_page(final_and_draft, provider_user, provider):
    response = signed_in(provider_user).get(
        reverse("directory:provider_detail", args=[provider.slug])
    )
    assert response.status_code == 200
    body = response.content.decode()
    section = body.split('id="provider-evaluations"', 1)[1].split("</section>", 1)[0]
    assert "DCF-25-FINAL" in section
    assert "DCF-25-DRAFT" not in section
