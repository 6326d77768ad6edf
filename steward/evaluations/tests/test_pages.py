"""The evaluation pages (seeds 000 and 001): who may open each, the whole workflow through the
test client (start, rate, release, the provider's response, the reviewing official, a
correction), the refusals shown, the XLSX and PDF, the contract page's evaluations panel, and
bounded queries whatever the rows."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from steward.evaluations.models import Evaluation, EvaluationStatus
from steward.evaluations.tests.factories import completed_contract, walk
from steward.evaluations.tests.pages import TODAY, signed_in, url
from steward.parties.models import Role
from steward.testing.factories import AgencyFactory, ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def senior(make_user):
    return make_user(Role.SENIOR_MANAGER, username="senior")


@pytest.fixture
def closed(manager, provider):
    return completed_contract(manager, provider=provider, number="DCF-25-100")


def _ratings_post(evaluation: Evaluation, value: int | str, **extra) -> dict[str, str]:
    data = {f"rating__{c['key']}": str(value) for c in evaluation.criteria}
    data.update({f"narrative__{c['key']}": "As the returns show." for c in evaluation.criteria})
    data["summary"] = "A good year of service."
    data.update(extra)
    return data


# ---------------------------------------------------------------- who may open what

LIST_ROLES = [
    (Role.CONTRACT_MANAGER, 200),
    (Role.CONTRACT_MONITOR, 200),
    (Role.SENIOR_MANAGER, 200),
    (Role.FINANCE_OFFICER, 200),
    (Role.OVERSIGHT_OFFICER, 200),
    (Role.ADMINISTRATOR, 200),
    (Role.PROVIDER_USER, 403),
]


@pytest.mark.parametrize(("role", "status"), LIST_ROLES)
def test_due_list_and_compliance_are_for_staff(closed, make_user, role, status):
    client = signed_in(make_user(role))
    assert client.get(url("due")).status_code == status
    assert client.get(url("compliance")).status_code == status
    assert client.get(url("compliance") + "?format=xlsx").status_code == status


def test_due_list_shows_the_overdue_evaluation_and_the_start_button(closed, manager, make_user):
    html = signed_in(manager).get(url("due")).content.decode()
    assert "DCF-25-100" in html
    assert "Overdue by" in html  # the real today is after 29 August 2026
    assert url("start", closed.pk) in html
    assert 'aria-current="page">Evaluations</a>' in html
    # a finance officer sees the row but may not start it
    finance = signed_in(make_user(Role.FINANCE_OFFICER)).get(url("due")).content.decode()
    assert "DCF-25-100" in finance and url("start", closed.pk) not in finance


def test_due_list_days_left_and_under_way(closed, manager):
    with time_machine.travel(TODAY, tick=False):
        client = signed_in(manager)
        assert "19 days left" in client.get(url("due")).content.decode()
        response = client.post(url("start", closed.pk), {"kind": "closeout"})
        evaluation = Evaluation.objects.get(contract=closed)
        assert response["Location"] == url("edit", evaluation.pk)
        html = client.get(url("due")).content.decode()
    assert url("detail", evaluation.pk) in html  # under way: linked, no second start button
    assert url("start", closed.pk) not in html
    assert "Drafts (1)" in html


def test_the_oversight_officer_sees_every_agency_and_filters(closed, make_user, other_agency):
    other_manager = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    completed_contract(other_manager, number="DMH-25-001")
    oversight = signed_in(make_user(Role.OVERSIGHT_OFFICER))
    html = oversight.get(url("due")).content.decode()
    assert "DCF-25-100" in html and "DMH-25-001" in html
    assert url("start", closed.pk) not in html  # oversight reads, does not write
    html = oversight.get(url("due") + f"?agency={other_agency.pk}").content.decode()
    assert "DCF-25-100" not in html and "DMH-25-001" in html
    # agency staff only see their own agency's evaluations due
    own = signed_in(other_manager).get(url("due")).content.decode()
    assert "DCF-25-100" not in own and "DMH-25-001" in own


def _detail_status(client: Client, evaluation: Evaluation) -> int:
    return client.get(url("detail", evaluation.pk)).status_code


def test_detail_visibility_by_stage(
    closed, manager, senior, make_user, other_agency, other_provider
):
    draft = walk(closed, author=manager, to="draft")
    own_provider = signed_in(make_user(Role.PROVIDER_USER))
    foreign_provider = signed_in(make_user(Role.PROVIDER_USER, provider=other_provider))
    foreign_staff = signed_in(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    oversight = signed_in(make_user(Role.OVERSIGHT_OFFICER, agency=other_agency))
    finance = signed_in(make_user(Role.FINANCE_OFFICER))

    assert _detail_status(signed_in(manager), draft) == 200
    assert _detail_status(finance, draft) == 200
    assert _detail_status(oversight, draft) == 200
    assert _detail_status(own_provider, draft) == 404  # not released to it yet
    assert _detail_status(foreign_provider, draft) == 404
    assert _detail_status(foreign_staff, draft) == 404
    for client in (own_provider, foreign_provider, foreign_staff):
        assert client.get(url("pdf", draft.pk)).status_code == 404
        assert client.get(url("edit", draft.pk)).status_code == 404

    Evaluation.objects.filter(pk=draft.pk).delete()
    released = walk(closed, author=manager, to="released")
    assert _detail_status(own_provider, released) == 200
    assert _detail_status(foreign_provider, released) == 404
    assert _detail_status(foreign_staff, released) == 404

    finalised = walk(
        completed_contract(manager, provider=closed.provider),
        author=manager,
        to="finalised",
        reviewer=senior,
    )
    assert _detail_status(foreign_staff, finalised) == 200  # shared once final (seed 000)
    assert _detail_status(own_provider, finalised) == 200
    assert _detail_status(foreign_provider, finalised) == 404


@pytest.mark.parametrize(
    ("role", "edit", "correct"),
    [
        (Role.CONTRACT_MANAGER, 200, 200),
        (Role.CONTRACT_MONITOR, 200, 200),
        (Role.SENIOR_MANAGER, 403, 403),
        (Role.FINANCE_OFFICER, 403, 403),
        (Role.OVERSIGHT_OFFICER, 403, 403),
    ],
)
def test_edit_and_correct_are_for_the_writers(
    closed, manager, senior, make_user, role, edit, correct
):
    draft = walk(closed, author=manager, to="draft")
    final = walk(
        completed_contract(manager, provider=closed.provider),
        author=manager,
        to="finalised",
        reviewer=senior,
    )
    client = signed_in(make_user(role))
    assert client.get(url("edit", draft.pk)).status_code == edit
    assert client.get(url("correct", final.pk)).status_code == correct
    # a finalised evaluation's edit page sends the writer back to the evaluation
    if edit == 200:
        assert client.get(url("edit", final.pk)).status_code == 302


def test_comment_is_for_the_provider_only(closed, manager, make_user, other_provider):
    released = walk(closed, author=manager, to="released", released_on=date(2026, 11, 1))
    assert signed_in(manager).get(url("comment", released.pk)).status_code == 403
    foreign = signed_in(make_user(Role.PROVIDER_USER, provider=other_provider))
    assert foreign.get(url("comment", released.pk)).status_code == 404
    assert foreign.post(url("comment", released.pk), {"acknowledge": "on"}).status_code == 404


def test_post_only_actions_refuse_get(closed, manager):
    draft = walk(closed, author=manager, to="draft")
    client = signed_in(manager)
    assert client.get(url("refresh", draft.pk)).status_code == 405
    assert client.get(url("start", closed.pk)).status_code == 405
    # release answers a GET with its confirmation page, finalise (not yet possible) with the
    # evaluation; neither changes anything
    assert client.get(url("release", draft.pk)).status_code == 200
    assert client.get(url("finalise", draft.pk)).status_code in (200, 302)
    assert Evaluation.objects.get(pk=draft.pk).status == EvaluationStatus.DRAFT


def test_another_agency_cannot_start_or_act(closed, manager, make_user, other_agency):
    draft = walk(closed, author=manager, to="draft")
    foreign = signed_in(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    assert foreign.post(url("start", closed.pk), {"kind": "closeout"}).status_code == 404
    for name in ("release", "refresh", "finalise"):
        assert foreign.post(url(name, draft.pk)).status_code == 404
    # a finance officer of the agency sees it but may not release it
    finance = signed_in(make_user(Role.FINANCE_OFFICER))
    assert finance.post(url("release", draft.pk), {"confirm": "yes"}).status_code == 403
    assert Evaluation.objects.get(pk=draft.pk).status == EvaluationStatus.DRAFT


# ---------------------------------------------------------------- the whole journey


def test_the_whole_journey_through_the_pages(closed, manager, senior, make_user, other_agency):
    provider_user = make_user(Role.PROVIDER_USER, username="provider")
    author, reviewer, provider = signed_in(manager), signed_in(senior), signed_in(provider_user)
    with time_machine.travel(TODAY, tick=False):
        # start from the due list
        response = author.post(url("start", closed.pk), {"kind": "closeout", "next": url("due")})
        evaluation = Evaluation.objects.get(contract=closed)
        assert response.status_code == 302 and response["Location"] == url("edit", evaluation.pk)
        page = author.get(response["Location"]).content.decode()
        assert "Rating of service delivery and outcomes" in page
        assert "0 of 5 criteria rated" in page

        # rate: the score and its arithmetic are shown after saving
        response = author.post(url("edit", evaluation.pk), _ratings_post(evaluation, 3))
        assert response.status_code == 302 and response["Location"] == url("edit", evaluation.pk)
        page = author.get(url("edit", evaluation.pk)).content.decode()
        assert "75.0 out of 100" in page  # 3 on a 0–4 scale: three quarters of every weight
        assert "rounded down to the hundredth" in page
        assert 'value="3" aria-describedby="id_rating__quality_3-definition" checked' not in page
        assert 'id="id_rating__quality_3" name="rating__quality" value="3" checked' in page

        # release
        response = author.post(url("release", evaluation.pk), {"confirm": "yes"})
        assert response.status_code == 302
        evaluation.refresh_from_db()
        assert evaluation.status == EvaluationStatus.RELEASED
        assert evaluation.score == 75
        assert author.get(url("edit", evaluation.pk)).status_code == 302  # fixed now

        # the provider acknowledges and comments
        detail = provider.get(url("detail", evaluation.pk)).content.decode()
        assert url("comment", evaluation.pk) in detail
        assert "Concerns, complaints" not in detail  # internal evidence stays with the agency
        assert provider.get(url("comment", evaluation.pk)).status_code == 200
        response = provider.post(
            url("comment", evaluation.pk),
            {"comments": "We dispute the timeliness rating.", "acknowledge": "on"},
        )
        assert response.status_code == 302
        evaluation.refresh_from_db()
        assert evaluation.acknowledged_on == TODAY.date()
        assert evaluation.provider_comments == "We dispute the timeliness rating."

        # the author may not finalise; the reviewing official does
        page = author.get(url("detail", evaluation.pk)).content.decode()
        assert url("finalise", evaluation.pk) not in page
        response = author.post(url("finalise", evaluation.pk), {"confirm": "yes"})
        assert response.status_code == 409
        assert "A reviewing official other than the author finalises" in response.content.decode()
        response = reviewer.post(url("finalise", evaluation.pk), {"confirm": "yes"})
        assert response.status_code == 302
        evaluation.refresh_from_db()
        assert evaluation.status == EvaluationStatus.FINALISED
        page = reviewer.get(url("detail", evaluation.pk)).content.decode()
        assert "We dispute the timeliness rating." in page
        assert "Finalised" in page and "usa-step-indicator__segment--complete" in page
        # shared with another agency once final
        foreign = signed_in(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
        foreign_page = foreign.get(url("detail", evaluation.pk))
        assert foreign_page.status_code == 200
        assert "Concerns, complaints" not in foreign_page.content.decode()

        # correct: a new version, both reachable
        assert author.post(url("correct", evaluation.pk), {"reason": ""}).status_code == 200
        response = author.post(
            url("correct", evaluation.pk), {"reason": "The timeliness rating was miskeyed."}
        )
        v2 = Evaluation.objects.get(supersedes=evaluation)
        assert v2.version == 2 and v2.status == EvaluationStatus.DRAFT
        assert response["Location"] == url("edit", v2.pk)
        v1_page = author.get(url("detail", evaluation.pk)).content.decode()
        assert "A correction of this version is being written" in v1_page
        assert url("detail", v2.pk) in v1_page
        v2_page = author.get(url("detail", v2.pk)).content.decode()
        assert "The timeliness rating was miskeyed." in v2_page
        assert url("detail", evaluation.pk) in v2_page
        # a second correction of version 1 is not offered
        assert url("correct", evaluation.pk) not in v1_page


def test_a_finalised_correction_supersedes_with_a_banner(closed, manager, senior, make_user):
    first = walk(closed, author=manager, to="finalised", reviewer=senior)
    monitor = make_user(Role.CONTRACT_MONITOR)
    client = signed_in(monitor)
    client.post(url("correct", first.pk), {"reason": "Typo in the summary."})
    v2 = Evaluation.objects.get(supersedes=first)
    client.post(url("release", v2.pk), {"confirm": "yes"})
    v2.refresh_from_db()
    assert v2.status == EvaluationStatus.RELEASED
    Evaluation.objects.filter(pk=v2.pk).update(acknowledged_on=date(2026, 8, 1))
    signed_in(senior).post(url("finalise", v2.pk), {"confirm": "yes"})
    page = client.get(url("detail", first.pk)).content.decode()
    assert "superseded by a correction" in page and url("detail", v2.pk) in page


# ---------------------------------------------------------------- refusals


def test_release_refusal_lists_the_unrated_criteria(closed, manager):
    client = signed_in(manager)
    client.post(url("start", closed.pk), {"kind": "closeout"})
    evaluation = Evaluation.objects.get(contract=closed)
    response = client.post(url("release", evaluation.pk), {"confirm": "yes"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Rate every criterion before releasing the evaluation." in html
    assert 'href="#criterion-quality"' in html and "Rate quality and user satisfaction." in html
    assert Evaluation.objects.get(pk=evaluation.pk).status == EvaluationStatus.DRAFT


def test_release_refusal_names_the_missing_summary(closed, manager):
    client = signed_in(manager)
    client.post(url("start", closed.pk), {"kind": "closeout"})
    evaluation = Evaluation.objects.get(contract=closed)
    client.post(url("edit", evaluation.pk), _ratings_post(evaluation, 4, summary=""))
    response = client.post(url("release", evaluation.pk), {"confirm": "yes"})
    assert "Write the overall summary" in response.content.decode()


def test_start_refusals_are_flashed_on_the_due_list(contract, closed, manager):
    client = signed_in(manager)
    # an active contract has no closeout evaluation yet
    response = client.post(url("start", contract.pk), {"kind": "closeout"}, follow=True)
    assert response.redirect_chain[-1][0] == url("due")
    assert "once the contract is completed" in response.content.decode()
    # one under way at a time
    client.post(url("start", closed.pk), {"kind": "closeout"})
    response = client.post(
        url("start", closed.pk), {"kind": "closeout", "next": url("due")}, follow=True
    )
    assert "already has a closeout evaluation under way" in response.content.decode()
    response = client.post(url("start", closed.pk), {"kind": "annual"}, follow=True)
    assert response.status_code == 200
    assert Evaluation.objects.filter(contract=closed).count() == 1


def test_edit_refuses_values_off_the_scale_on_the_field(closed, manager):
    draft = walk(closed, author=manager, to="draft")
    response = signed_in(manager).post(
        url("edit", draft.pk), _ratings_post(draft, 9, summary="Changed")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_rating__quality"' in html
    draft.refresh_from_db()
    assert draft.summary == "A good year of service."  # nothing saved


def test_comment_refusals(closed, manager, make_user):
    released = walk(closed, author=manager, to="released", released_on=date(2026, 7, 20))
    provider = signed_in(make_user(Role.PROVIDER_USER))
    with time_machine.travel(datetime(2026, 7, 21, 12, tzinfo=UTC), tick=False):
        response = provider.post(url("comment", released.pk), {"comments": ""})
        assert "Write a comment, or tick acknowledge." in response.content.decode()
    # after the window: the page says it is closed, a post is refused
    page = provider.get(url("comment", released.pk)).content.decode()
    assert "The window for responses closed" in page
    response = provider.post(url("comment", released.pk), {"comments": "Late"})
    assert "The window for comments closed" in response.content.decode()
    assert Evaluation.objects.get(pk=released.pk).provider_comments == ""


def test_refresh_gathers_the_evidence_again(closed, manager):
    draft = walk(closed, author=manager, to="draft")
    response = signed_in(manager).post(url("refresh", draft.pk), follow=True)
    assert "Evidence gathered again" in response.content.decode()
    draft.refresh_from_db()
    assert draft.evidence_gathered_on is not None


# ---------------------------------------------------------------- XLSX and PDF


def test_compliance_xlsx_has_the_numbers(manager, provider, make_user, other_agency):
    on_time = completed_contract(manager, provider=provider)
    walk(on_time, author=manager, to="released", released_on=date(2026, 8, 1))
    late = completed_contract(manager, provider=provider)
    walk(late, author=manager, to="released", released_on=date(2026, 9, 15))
    completed_contract(manager, provider=provider)  # missing (today is after 29 August)
    oversight = signed_in(make_user(Role.OVERSIGHT_OFFICER))
    response = oversight.get(url("compliance") + "?format=xlsx&since=2026-08-01")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "1 August 2026" in rows[0][0]
    assert rows[1] == ("Agency", "Still due", "Done on time", "Done late", "Missing", "On time (%)")
    by_agency = {r[0]: r[1:] for r in rows[2:]}
    assert by_agency["Department of Children and Families"][:4] == (0, 1, 1, 1)
    assert float(by_agency["Department of Children and Families"][4]) == pytest.approx(33.3)
    assert by_agency["Department of Mental Health"][:4] == (0, 0, 0, 0)
    # the page shows the same numbers; a filter that excludes them shows none
    html = oversight.get(url("compliance")).content.decode()
    assert "33.3%" in html
    html = oversight.get(url("compliance") + "?until=2026-01-01").content.decode()
    assert "33.3%" not in html
    # agency staff see their own row only
    staff = signed_in(manager).get(url("compliance") + "?format=xlsx")
    staff_rows = list(load_workbook(io.BytesIO(staff.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in staff_rows[2:]] == ["Department of Children and Families"]


def test_the_compliance_counts_open_the_evaluations_behind_them(manager, provider, make_user):
    """seed 000: a missing closeout evaluation is counted per agency; the count opens the list
    of evaluations due for that agency, where the contract is waiting."""
    missing = completed_contract(manager, provider=provider)  # today is after its due date
    oversight = signed_in(make_user(Role.OVERSIGHT_OFFICER))
    html = oversight.get(url("compliance")).content.decode()
    link = f"{url('due')}?agency={missing.agency_id}"
    assert f'href="{link}"><strong>1</strong>' in html
    assert missing.number in oversight.get(link).content.decode()
    staff_html = signed_in(manager).get(url("compliance")).content.decode()
    assert f'href="{url("due")}"><strong>1</strong>' in staff_html  # their own agency's list
    assert missing.number in signed_in(manager).get(url("due")).content.decode()


def test_compliance_filter_errors_are_shown(manager):
    response = signed_in(manager).get(url("compliance") + "?since=2026-12-01&until=2026-01-01")
    assert response.status_code == 200
    assert "This date is before the first date." in response.content.decode()
    response = signed_in(manager).get(url("compliance") + "?since=nonsense&format=xlsx")
    assert response["Content-Type"].startswith("text/html")  # no download of a wrong table


def test_pdf_for_agency_and_provider(closed, manager, make_user):
    released = walk(closed, author=manager, to="released")
    response = signed_in(manager).get(url("pdf", released.pk))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="evaluation-dcf-25-100-closeout-v1.pdf"'
    )
    provider = signed_in(make_user(Role.PROVIDER_USER))
    assert provider.get(url("pdf", released.pk)).content.startswith(b"%PDF")


def test_pdf_html_omits_internal_evidence_for_the_provider(closed, manager, make_user):
    from django.test import RequestFactory

    from steward.evaluations import views

    released = walk(closed, author=manager, to="released")
    request = RequestFactory().get("/")
    request.user = make_user(Role.PROVIDER_USER)
    context = views._evaluation_context(request, released)
    assert not any(e.get("internal") for e in context["evidence"])
    request.user = manager
    assert any(e.get("internal") for e in views._evaluation_context(request, released)["evidence"])


# ---------------------------------------------------------------- bounded queries


def _count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_due_list_queries_do_not_grow_with_rows(
    manager, provider, make_user, django_assert_max_num_queries
):
    completed_contract(manager, provider=provider)
    walk(completed_contract(manager, provider=provider), author=manager, to="draft")
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    staff_client, oversight_client = signed_in(manager), signed_in(oversight)
    few_staff = _count_queries(staff_client, url("due"))
    few_oversight = _count_queries(oversight_client, url("due"))
    for i in range(8):
        contract = completed_contract(manager, provider=provider)
        if i % 2:
            walk(contract, author=manager, to="draft" if i % 4 == 1 else "released")
    with django_assert_max_num_queries(few_staff):
        assert staff_client.get(url("due")).status_code == 200
    with django_assert_max_num_queries(few_oversight):
        assert oversight_client.get(url("due")).status_code == 200
    assert few_staff <= 14


def test_compliance_queries_do_not_grow_with_agencies(
    manager, provider, make_user, packs, django_assert_max_num_queries
):
    oversight = signed_in(make_user(Role.OVERSIGHT_OFFICER))
    completed_contract(manager, provider=provider)
    few = _count_queries(oversight, url("compliance"))
    for n in range(6):
        agency = AgencyFactory(pack=packs["connecticut-opm"], slug=f"agency-{n}")
        ContractFactory(agency=agency, provider=provider)
        completed_contract(manager, provider=provider)
    with django_assert_max_num_queries(few):
        assert oversight.get(url("compliance")).status_code == 200
    assert few <= 8


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


# ------------------------------------------------------ confirmations, reopening (issue 21)


def test_release_and_finalise_first_show_what_they_do(closed, manager, senior):
    draft = walk(closed, author=manager, to="draft")
    client = signed_in(manager)
    for response in (
        client.get(url("release", draft.pk)),
        client.post(url("release", draft.pk), {"released_on": "2026-07-15"}),
    ):
        assert response.status_code == 200
        body = response.content.decode()
        assert "What will happen" in body and "Who is told" in body
        assert "emailed" in body and f'href="{url("detail", draft.pk)}"' in body
    assert 'name="released_on" value="2026-07-15"' in body  # carried to the confirmation
    assert Evaluation.objects.get(pk=draft.pk).status == EvaluationStatus.DRAFT
    released = walk(completed_contract(manager), author=manager, to="released")
    reviewer = signed_in(senior)
    response = reviewer.post(url("finalise", released.pk))
    assert response.status_code == 200
    assert "can no longer change" in response.content.decode()
    assert Evaluation.objects.get(pk=released.pk).status == EvaluationStatus.RELEASED


def test_a_wrongly_released_evaluation_is_reopened_with_a_reason(closed, manager, mailoutbox):
    released = walk(closed, author=manager, to="released")
    client = signed_in(manager)
    assert url("reopen", released.pk) in client.get(url("detail", released.pk)).content.decode()
    assert "What will happen" in client.get(url("reopen", released.pk)).content.decode()
    client.post(url("reopen", released.pk), {"reason": "Wrong period"})  # not confirmed
    assert Evaluation.objects.get(pk=released.pk).status == EvaluationStatus.RELEASED
    response = client.post(url("reopen", released.pk), {"reason": "", "confirm": "yes"})
    assert response.status_code == 200
    assert Evaluation.objects.get(pk=released.pk).status == EvaluationStatus.RELEASED
    response = client.post(url("reopen", released.pk), {"reason": "Wrong period", "confirm": "yes"})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(pk=released.pk)
    assert evaluation.status == EvaluationStatus.DRAFT
    assert evaluation.score is None and evaluation.released_on is None
    last = evaluation.history.order_by("-history_id").first()
    assert last.history_change_reason == "Reopened as a draft: Wrong period"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CONTRACT_MANAGER, 302),
        (Role.CONTRACT_MONITOR, 403),
        (Role.SENIOR_MANAGER, 403),
        (Role.FINANCE_OFFICER, 403),
        (Role.ADMINISTRATOR, 302),
    ],
)
def test_who_may_reopen_a_released_evaluation(closed, manager, make_user, role, status):
    released = walk(closed, author=manager, to="released")
    client = signed_in(make_user(role))
    response = client.post(url("reopen", released.pk), {"reason": "Wrong", "confirm": "yes"})
    assert response.status_code == status
    expected = EvaluationStatus.DRAFT if status == 302 else EvaluationStatus.RELEASED
    assert Evaluation.objects.get(pk=released.pk).status == expected


def test_a_finalised_evaluation_is_not_reopened(closed, manager, senior):
    """Finalised evaluations never change: a correction is a new version."""
    final = walk(closed, author=manager, to="finalised", reviewer=senior)
    client = signed_in(manager)
    assert url("reopen", final.pk) not in client.get(url("detail", final.pk)).content.decode()
    response = client.post(url("reopen", final.pk), {"reason": "Wrong", "confirm": "yes"})
    assert response.status_code == 302
    assert Evaluation.objects.get(pk=final.pk).status == EvaluationStatus.FINALISED


def test_the_due_list_offers_only_the_agencies_an_officer_oversees(packs, make_user, provider):
    """seed 000 compliance, read by an oversight officer of one jurisdiction: the due list's
    agency filter offers that jurisdiction's agencies only, and another agency's cannot be
    chosen."""
    ct = AgencyFactory(name="Connecticut agency", jurisdiction="Connecticut")
    uk = AgencyFactory(name="Scottish council", jurisdiction="Scotland")
    for agency in (ct, uk):
        ContractFactory(agency=agency, provider=provider, status="active")
    officer = signed_in(make_user(Role.OVERSIGHT_OFFICER, agency=ct, jurisdiction="Connecticut"))
    html = officer.get(url("due")).content.decode()
    assert f'value="{ct.pk}"' in html and "Connecticut agency" in html
    assert "Scottish council" not in html
    refused = officer.get(url("due"), {"agency": uk.pk}).content.decode()
    assert "Scottish council" not in refused
    everywhere = signed_in(make_user(Role.OVERSIGHT_OFFICER, agency=ct))
    assert "Scottish council" in everywhere.get(url("due")).content.decode()
