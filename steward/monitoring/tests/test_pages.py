"""The monitoring cycle's pages (seed 002 stages 1–8): who may open them, the whole cycle through
the pages as the contract manager and the provider, refusals out of order, what the provider
does not see, the follow-up of the action plan, the notification PDF, the contract page's panel,
and bounded queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from steward.monitoring import services
from steward.monitoring.models import Action, Cycle, CycleStatus
from steward.monitoring.tests.factories import START, walk
from steward.monitoring.tests.pages import at, flashed, signed_in, text
from steward.parties.models import Role
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db

AREAS = ("compliance", "quality", "improvement", "funding", "satisfaction", "access")


def followed(client: Client, url: str, data: dict | None = None) -> str:
    return text(client.post(url, data or {}, follow=True))


@pytest.fixture
def provider_user(make_user):
    return make_user(Role.PROVIDER_USER, username="provider-user")


def url(name: str, cycle) -> str:
    return reverse(f"monitoring:{name}", args=[cycle.pk])


# ---------------------------------------------------------------- who may open what


ROLES = [
    # role, cycle page, self-assessment form, assess form
    (Role.CONTRACT_MANAGER, 200, 200, 200),
    (Role.CONTRACT_MONITOR, 200, 200, 403),
    (Role.FINANCE_OFFICER, 200, 403, 403),
    (Role.OVERSIGHT_OFFICER, 200, 403, 403),
    (Role.ADMINISTRATOR, 200, 200, 200),
    (Role.PROVIDER_USER, 200, 200, 403),
]


@pytest.mark.parametrize(("role", "page", "sa", "assess"), ROLES)
def test_pages_by_role_on_a_notified_cycle(
    contract, manager, provider_user, make_user, role, page, sa, assess
):
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="notified")
    user = provider_user if role == Role.PROVIDER_USER else make_user(role)
    client = signed_in(user)
    assert client.get(url("cycle", cycle)).status_code == page
    assert client.get(reverse("monitoring:cycles")).status_code == 200
    assert client.get(reverse("monitoring:contract", args=[contract.pk])).status_code == 200
    assert client.get(url("self_assessment", cycle)).status_code == sa
    assert client.get(url("assess", cycle)).status_code == assess
    assert client.get(url("judge", cycle)).status_code == assess
    assert client.get(url("letter", cycle)).status_code == assess
    decide = 200 if role in (Role.CONTRACT_MANAGER, Role.ADMINISTRATOR) else 403
    assert client.get(url("decide", cycle)).status_code == decide
    visit = (
        200 if role in (Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR, Role.ADMINISTRATOR) else 403
    )
    assert client.get(url("visit", cycle)).status_code == visit
    appeal = 200 if role == Role.PROVIDER_USER else 403
    assert client.get(url("appeal", cycle)).status_code == appeal


def test_another_provider_or_agency_gets_404(
    contract, manager, provider_user, make_user, other_provider, other_agency
):
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="letter")
    for user in (
        make_user(Role.PROVIDER_USER, provider=other_provider),
        make_user(Role.CONTRACT_MANAGER, agency=other_agency),
    ):
        client = signed_in(user)
        for name in ("cycle", "self_assessment", "assess", "notification_pdf", "appeal", "decide"):
            assert client.get(url(name, cycle)).status_code == 404, name
        for name in ("notify", "close"):
            assert client.post(url(name, cycle)).status_code == 404, name
        assert client.get(reverse("monitoring:contract", args=[contract.pk])).status_code == 404
        assert client.post(reverse("monitoring:start", args=[contract.pk])).status_code == 404
        assert str(contract.number) not in text(client.get(reverse("monitoring:cycles")))


def test_provider_sees_nothing_before_the_notification(contract, manager, provider_user):
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="started")
    client = signed_in(provider_user)
    assert client.get(url("cycle", cycle)).status_code == 404
    assert client.get(url("notification_pdf", cycle)).status_code == 404
    assert client.get(url("self_assessment", cycle)).status_code == 404
    page = text(client.get(reverse("monitoring:contract", args=[contract.pk])))
    assert "No monitoring cycle yet" in page and "Start this year" not in page
    detail = text(client.get(reverse("contracts:detail", args=[contract.pk])))
    assert "Annual monitoring" not in detail
    assert contract.number not in text(client.get(reverse("monitoring:cycles")))


def test_post_only_steps_refuse_get(contract, manager):
    client = signed_in(manager)
    assert client.get(reverse("monitoring:start", args=[contract.pk])).status_code == 405


def test_a_finance_officer_may_not_start_or_notify(contract, manager, provider_user, make_user):
    client = signed_in(make_user(Role.FINANCE_OFFICER))
    assert client.post(reverse("monitoring:start", args=[contract.pk])).status_code == 403
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="started")
    assert client.post(url("notify", cycle)).status_code == 403
    assert "Start this year" not in text(
        client.get(reverse("monitoring:contract", args=[contract.pk]))
    )


# ---------------------------------------------------------------- the whole cycle


def _areas(prefix: str = "", comments: bool = False) -> dict[str, str]:
    data = {}
    for key in AREAS:
        data[f"{key}_rating"] = "good"
        data[f"{key}_evidence"] = f"{prefix}evidence on {key}"
        if comments:
            data[f"{key}_comments"] = ""
    return data


def test_the_whole_cycle_through_the_pages(contract, manager, provider_user, make_user):
    """seed 002 stages 1–8, full route: start, notify, self-assessment, assess with a visit,
    the visit, the judgement, the letter (PDF with the contract's documents), an appeal within
    the 14 days, decided."""
    day = START
    with at(day):
        staff, provider = signed_in(manager), signed_in(provider_user)
        response = staff.post(reverse("monitoring:start", args=[contract.pk]))
        cycle = Cycle.objects.get(contract=contract)
        assert response.status_code == 302 and response["Location"] == url("cycle", cycle)
        page = text(staff.get(url("cycle", cycle)))
        assert "has started" in page and "Send the notification" in page
        assert "usa-step-indicator" in page
        assert provider.get(url("cycle", cycle)).status_code == 404
        page = followed(staff, url("notify", cycle))
        assert "The provider has been notified" in page

        page = text(provider.get(url("cycle", cycle)))
        assert "Complete the self-assessment" in page
        assert "Send the notification" not in page
        # the service's errors land on the fields
        response = provider.post(url("self_assessment", cycle), {"quality_rating": "good"})
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "compliance_rating" in errors and "quality_evidence" in errors
        assert "qaf_level" in errors and "quality_rating" not in errors
        assert "There is a problem" in text(response)

    day += timedelta(days=5)
    with at(day):
        staff, provider = signed_in(manager), signed_in(provider_user)
        data = _areas("Provider ") | {"qaf_level": "B", "qaf_upgrades": "Up on support plans"}
        response = provider.post(url("self_assessment", cycle), data)
        assert response.status_code == 302
        page = text(provider.get(url("cycle", cycle)))
        assert "Self-assessment submitted" in page and "Provider evidence on quality" in page

    day += timedelta(days=2)
    visit_day = day + timedelta(days=5)
    with at(day):
        staff, provider = signed_in(manager), signed_in(provider_user)
        bad = staff.post(url("assess", cycle), {"notes": "Fine", "route": "full"})
        assert bad.status_code == 200
        assert {"visit_planned_for", "visit_agenda", "user_consultation"} <= set(
            bad.context["form"].errors
        )
        response = staff.post(
            url("assess", cycle),
            {
                "notes": "INTERNAL assessment notes",
                "route": "full",
                "visit_planned_for": visit_day.isoformat(),
                "visit_agenda": "10:00 staff; 11:30 tenants",
                "user_consultation": "Tenants' group meeting",
                "evidence_requested": "Support plans",
            },
        )
        assert response.status_code == 302

    with at(visit_day):
        staff, provider = signed_in(manager), signed_in(provider_user)
        page = text(provider.get(url("cycle", cycle)))
        assert "10:00 staff; 11:30 tenants" in page  # the visit plan is shown to the provider
        assert "INTERNAL assessment notes" not in page
        response = staff.post(
            url("visit", cycle),
            {
                "visited_on": visit_day.isoformat(),
                "staff_met": "INTERNAL staff met",
                "self_assessment_review": "Agreed",
                "service_users_met": "Six tenants",
                "dq_sampled": "10",
                "dq_matched": "9",
            },
        )
        assert response.status_code == 302
        response = staff.post(url("judge", cycle), _areas("INTERNAL judged ", comments=True))
        assert response.status_code == 302
        page = text(provider.get(url("cycle", cycle)))
        assert "INTERNAL" not in page and 'id="stage-5"' not in page
        page = text(staff.get(url("cycle", cycle)))
        assert "INTERNAL judged evidence on quality" in page and "9 of 10" in page

    day = visit_day + timedelta(days=3)
    with at(day):
        staff, provider = signed_in(manager), signed_in(provider_user)
        data = {
            "results_summary": "A good service.",
            "future_funding": "Continues.",
            "future_specification": "No change.",
            "action_1_description": "Train staff",
            "action_1_owner": "Service manager",
            "action_1_horizon_months": "3",
            "action_3_description": "Review plans",
            "action_3_owner": "Team leader",
            "action_3_horizon_months": "6",
        }
        confirm = staff.post(url("letter", cycle), data)  # "Send": the preview to confirm
        assert confirm.status_code == 200 and "Who is told" in text(confirm)
        assert Cycle.objects.get(pk=cycle.pk).letter_on is None
        response = staff.post(url("letter", cycle), {**data, "confirm": "yes"})
        assert response.status_code == 302
        cycle.refresh_from_db()
        assert cycle.letter_on == day and cycle.letter_document_id
        assert Action.objects.filter(cycle=cycle).count() == 2

        page = text(provider.get(url("cycle", cycle)))
        assert 'id="stage-5"' in page and "INTERNAL judged evidence" in page  # released
        assert "INTERNAL assessment notes" not in page and "INTERNAL staff met" not in page
        assert "Train staff" in page and "Appeal a decision" in page
        download = reverse(
            "contracts:document_download", args=[contract.pk, cycle.letter_document_id]
        )
        assert download in page
        letter = provider.get(download)
        assert letter.status_code == 200
        assert b"".join(letter.streaming_content).startswith(b"%PDF")

        page = followed(provider, url("appeal", cycle), {"grounds": "The funding judgement."})
        assert "Appeal lodged" in page and "The funding judgement." in page
        assert "Decide the appeal" not in page

        page = text(staff.get(url("cycle", cycle)))
        assert "Decide the appeal" in page and "Close the cycle" not in page
        page = followed(
            staff, url("decide", cycle), {"outcome": "dismissed", "decision": "Evidence stands."}
        )
        assert "Appeal decided" in page and "Dismissed" in page
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED
    page = text(signed_in(provider_user).get(url("cycle", cycle)))
    assert "Evidence stands." in page and "What you can do" not in page


def test_light_route_discussion_then_letter(contract, manager, provider_user):
    """seed 002 stage 3: "CM lite" goes to stage 5; stage 6 the draft plan is discussed."""
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="judged", route="light")
    with at(START + timedelta(days=20)):
        staff = signed_in(manager)
        page = text(staff.get(url("visit", cycle)))
        assert "This step is not open" in page and "light route" in page
        assert "Record the discussion" in text(staff.get(url("cycle", cycle)))
        response = staff.post(
            url("discuss", cycle),
            {
                "discussed_on": (START + timedelta(days=20)).isoformat(),
                "method": "call",
                "notes": "Agreed.",
            },
        )
        assert response.status_code == 302
        assert "Write the results letter" in text(staff.get(url("cycle", cycle)))


def test_an_empty_judgement_shows_every_missing_area(contract, manager, provider_user):
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="visited")
    with at(START + timedelta(days=30)):
        response = signed_in(manager).post(url("judge", cycle), {})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {f"{a}_{f}" for a in AREAS for f in ("rating", "evidence")}
    page = text(response)
    assert "Rate funding issues." in page and 'href="#id_funding_rating_0"' in page
    assert "(optional)" in page  # the comments, not the rating or the evidence
    assert 'for="id_funding_evidence">Evidence <span' not in page


def test_letter_errors_land_on_the_row_on_the_page(contract, manager, provider_user):
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="judged")
    with at(START + timedelta(days=30)):
        response = signed_in(manager).post(
            url("letter", cycle),
            {
                "results_summary": "Good.",
                "future_funding": "",
                "future_specification": "Same.",
                "action_3_description": "Review plans",
                "action_3_horizon_months": "6",
            },
        )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "future_funding" in errors
    assert errors["action_3_owner"] == ["Action 1: say who owns it."]
    assert "action_1_owner" not in errors
    assert not Action.objects.exists()


# ---------------------------------------------------------------- refusals out of order


def test_steps_out_of_order_show_the_services_message(contract, manager, provider_user):
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="notified")
    staff = signed_in(manager)
    page = followed(staff, url("assess", cycle), {"notes": "x", "route": "light"})
    assert "The provider has not submitted the self-assessment yet" in page
    page = followed(staff, url("letter", cycle), {"results_summary": "x", "confirm": "yes"})
    assert "comes after stage" in page and "which is not done yet" in page
    page = followed(staff, url("notify", cycle))
    assert "is already done" in page
    page = followed(staff, url("close", cycle))
    assert "The cycle closes after the results letter (stage 7)." in page
    page = followed(staff, reverse("monitoring:start", args=[contract.pk]))
    assert "already under way" in page
    provider = signed_in(provider_user)
    page = followed(provider, url("appeal", cycle), {"grounds": "No."})
    assert "There is no decision to appeal until the results letter is sent." in page
    # the form page itself says why it is not open
    page = text(staff.get(url("letter", cycle)))
    assert "This step is not open" in page and '<form method="post" class="usa-form' not in page


def test_a_late_appeal_is_refused_and_the_cycle_closes(contract, manager, provider_user):
    """seed 002 stage 8: 14 days to appeal."""
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="letter")
    late = cycle.appeal_due.due_date + timedelta(days=1)
    with at(late):
        page = followed(signed_in(provider_user), url("appeal", cycle), {"grounds": "Late."})
        assert "can no longer be lodged" in page
        page = followed(signed_in(manager), url("close", cycle))
        assert "The cycle is closed." in page
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.CLOSED


# ---------------------------------------------------------------- the action plan's follow-up


def test_action_done_then_refused_a_second_time(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    action = Action.objects.filter(cycle=cycle).order_by("due_on").first()
    url = reverse("monitoring:action_done", args=[action.pk])
    with at(date(2027, 2, 1)):
        client = signed_in(manager)
        response = client.post(url, {"note": "Both trained in January."})
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:contract", args=[live.pk])
    assert any("marked as done" in m for m in flashed(response))
    action.refresh_from_db()
    assert (action.done_on, action.done_note, action.done_by) == (
        date(2027, 2, 1),
        "Both trained in January.",
        manager,
    )
    with at(date(2027, 2, 1)):
        again = client.post(url, {"note": ""})
        assert again.status_code == 302
        assert "This action was done on 2027-02-01." in flashed(again)
        assert client.get(url).status_code == 405


def test_action_done_permissions(live, manager, provider_user, make_user, other_agency):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    action = Action.objects.filter(cycle=cycle).first()
    url = reverse("monitoring:action_done", args=[action.pk])
    assert signed_in(provider_user).post(url).status_code == 403  # sees it, may not do it
    assert signed_in(make_user(Role.FINANCE_OFFICER)).post(url).status_code == 403
    stranger = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    assert signed_in(stranger).post(url).status_code == 404
    assert (
        signed_in(manager).post(reverse("monitoring:action_done", args=[999999])).status_code == 404
    )
    monitor = make_user(Role.CONTRACT_MONITOR)
    assert signed_in(monitor).post(url, {"next": "https://evil.example/"}).status_code == 302
    action.refresh_from_db()
    assert action.done_by == monitor


# ---------------------------------------------------------------- internal parts


def test_internal_parts_hidden_from_the_provider(contract, manager, provider_user):
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="judged")
    provider_page = text(signed_in(provider_user).get(url("cycle", cycle)))
    staff_page = text(signed_in(manager).get(url("cycle", cycle)))
    for internal in (
        "Risk rating",
        "Self-assessment credible; QAF evidence to be seen.",  # assessment notes
        "Service manager, two support workers",  # visit record
        "One value transposed.",
        'id="stage-5"',  # the judgement before the letter
    ):
        assert internal in staff_page
        assert internal not in provider_page
    assert "10:00 staff; 11:30 service users; 14:00 files" in provider_page  # visit plan


# ---------------------------------------------------------------- PDFs and panels


def test_notification_pdf(contract, manager, provider_user, make_user):
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="started")
    draft = signed_in(manager).get(url("notification_pdf", cycle))
    assert draft.status_code == 200 and draft.content.startswith(b"%PDF")
    services.cycle_notify(actor=manager, cycle=cycle, today=START)
    response = signed_in(provider_user).get(url("notification_pdf", cycle))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_contract_page_panel(contract, manager, provider_user):
    client = signed_in(manager)
    detail = reverse("contracts:detail", args=[contract.pk])
    assert "No monitoring cycle yet" in text(client.get(detail))
    walk(contract, manager=manager, provider_user=provider_user, to="submitted")
    page = text(client.get(detail))
    assert "Annual monitoring" in page and "usa-step-indicator" in page
    assert reverse("monitoring:contract", args=[contract.pk]) in page
    provider_page = text(signed_in(provider_user).get(detail))
    assert "Annual monitoring" in provider_page


def test_contract_monitoring_page_lists_actions_and_reviews(contract, manager, provider_user):
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="letter")
    page = text(signed_in(manager).get(reverse("monitoring:contract", args=[contract.pk])))
    assert "Train two staff in safeguarding" in page
    assert reverse("monitoring:action_done", args=[cycle.actions.first().pk]) in page
    assert "Review meetings" in page
    assert reverse("monitoring:reviews_schedule", args=[contract.pk]) in page
    provider_page = text(
        signed_in(provider_user).get(reverse("monitoring:contract", args=[contract.pk]))
    )
    assert "Train two staff in safeguarding" in provider_page
    assert "Review meetings" not in provider_page and "Mark as done" not in provider_page


# ---------------------------------------------------------------- bounded queries


def _cycles(agency, provider, n: int, prefix: str) -> None:
    for i in range(n):
        c = ContractFactory(
            agency=agency, provider=provider, status="active", number=f"{prefix}-{i}"
        )
        Cycle.objects.create(
            contract=c,
            agency=agency,
            provider=provider,
            year=2026,
            started_on=START,
            route="full",
            stage=1,
        )


def test_cycles_list_queries_do_not_grow(agency, provider, manager, django_assert_max_num_queries):
    client = signed_in(manager)
    _cycles(agency, provider, 2, "Q")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("monitoring:cycles")).status_code == 200
    _cycles(agency, provider, 30, "R")
    with django_assert_max_num_queries(8):
        page = text(client.get(reverse("monitoring:cycles") + "?status=open"))
    assert "R-29" in page


def test_cycle_page_queries_do_not_grow(
    contract, manager, provider_user, django_assert_max_num_queries
):
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="letter")
    client = signed_in(manager)
    with django_assert_max_num_queries(10):
        assert client.get(url("cycle", cycle)).status_code == 200
    for i in range(40):
        Action.objects.create(
            contract=contract,
            cycle=cycle,
            description=f"Extra action {i}",
            owner="Someone",
            horizon_months=12,
            due_on=START + timedelta(days=365),
        )
    with django_assert_max_num_queries(10):
        page = text(client.get(url("cycle", cycle)))
    assert "Extra action 39" in page
