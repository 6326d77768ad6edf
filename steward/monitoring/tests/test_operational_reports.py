"""seed 003 roles table, "Operational Monitoring of Contracts": operational teams (lead
professionals, key workers, reviewing officers) monitor the contract and their returns reach
the contract manager ("to receive from operational teams ... routine returns"), on templates
the contract manager issues. A template once used is never changed: a new version instead."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from steward.contracts.services import contract_create, contract_execute
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.tests.api_support import call, session_client
from steward.monitoring import opsanswers
from steward.monitoring import services_opsreports as services
from steward.monitoring.models import OperationalReport, OperationalReportTemplate
from steward.parties.models import Role
from steward.testing.factories import AgencyFactory, UserFactory

TODAY = date(2026, 6, 1)
QUESTIONS = [
    {"prompt": "Were care plans followed?", "answer_type": "yes_no"},
    {"prompt": "Placements reviewed this period", "answer_type": "number"},
    {"prompt": "How well does the provider work with the team?", "answer_type": "rating"},
    {"prompt": "Anything else", "answer_type": "text", "required": False},
]
ANSWERS = {
    "were_care_plans_followed": "no",
    "placements_reviewed_this_period": 3,
    "how_well_does_the_provider_work_with_the_team": 2,
}


@pytest.fixture
def scc(packs):
    return AgencyFactory(name="Highland Council", slug="hc", pack=packs["scottish-childrens"])


@pytest.fixture
def people(scc, provider, packs):
    other = AgencyFactory(name="Other Council", slug="oc", pack=packs["scottish-childrens"])

    def person(role, name, agency=scc):
        return UserFactory(role=role, agency=agency, username=name, email=f"{name}@hc.test")

    return {
        "ccm": person(Role.CONTRACT_MANAGER, "ccm"),
        "lead": person(Role.CONTRACT_MONITOR, "lead"),
        "key": person(Role.KEY_WORKER, "key"),
        "reviewing": person(Role.REVIEWING_OFFICER, "reviewing"),
        "finance": person(Role.FINANCE_OFFICER, "finance"),
        "outsider": person(Role.KEY_WORKER, "outsider", other),
        "other_ccm": person(Role.CONTRACT_MANAGER, "other-ccm", other),
        "supplier": UserFactory(
            role=Role.PROVIDER_USER, provider=provider, agency=None, username="supplier"
        ),
    }


@pytest.fixture
def contract(scc, people, provider):
    ccm = people["ccm"]
    draft = contract_create(
        actor=ccm,
        agency=scc,
        data={
            "number": "HC-R-1",
            "title": "Residential care",
            "contract_type": "framework",
            "provider": provider,
            "start_date": date(2026, 4, 1),
            "end_date": date(2027, 3, 31),
            "maximum_obligation": Decimal("300000"),
            "compensation_structure": "unit_rate",
            "procurement_method": "framework",
            "contract_manager": ccm,
            "service_type": "Residential",
        },
    )
    return contract_execute(actor=ccm, contract=draft, executed_on=date(2026, 3, 1))


def _issue(people, scc, questions=QUESTIONS, **over):
    data = {"title": "Quarterly team return", "questions": questions, "today": TODAY}
    data.update(over)
    return services.report_template_issue(actor=people["ccm"], agency=scc, **data)


def _file(people, contract, template, who="key", answers=ANSWERS):
    return services.operational_report_file(
        actor=people[who],
        contract=contract,
        template=template,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        answers=answers,
        today=TODAY,
    )


def test_seed_003_answers_validated_per_answer_type():
    """seed 003: answers of each type: text, yes/no, number 0 or more, rating 1 to 5; every
    required question answered; errors name the question."""
    questions, errors = opsanswers.clean_questions(QUESTIONS)
    assert not errors and [q["answer_type"] for q in questions] == [
        "yes_no",
        "number",
        "rating",
        "text",
    ]
    ok, errors = opsanswers.clean_answers(questions, ANSWERS)
    assert not errors and ok["were_care_plans_followed"] is False
    _, errors = opsanswers.clean_answers(
        questions,
        {
            "were_care_plans_followed": "maybe",
            "placements_reviewed_this_period": -1,
            "how_well_does_the_provider_work_with_the_team": 6,
            "stray": "x",
        },
    )
    assert set(errors) == {
        "answers.were_care_plans_followed",
        "answers.placements_reviewed_this_period",
        "answers.how_well_does_the_provider_work_with_the_team",
        "answers.stray",
    }
    _, errors = opsanswers.clean_answers(questions, {})
    assert "answers.anything_else" not in errors and len(errors) == 3
    _, errors = opsanswers.clean_questions([{"prompt": "", "answer_type": "colour"}])
    assert set(errors) == {"questions.0.prompt", "questions.0.answer_type"}
    assert opsanswers.clean_questions([])[1] == {"questions": ["Add at least one question."]}


def test_seed_003_team_files_a_report_the_contract_manager_is_told(
    people, scc, contract, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 003: the contract manager issues a template; a key worker files a report on the
    contract for a period; the contract manager is emailed with the answers."""
    template = _issue(people, scc, service_type="Residential")
    with django_capture_on_commit_callbacks(execute=True):
        report = _file(people, contract, template)
    assert report.answers["were_care_plans_followed"] is False
    [mail] = mailoutbox
    assert mail.to == ["ccm@hc.test"] and "HC-R-1" in mail.subject
    assert "Were care plans followed?: No" in mail.body
    for who in ("lead", "reviewing", "ccm"):
        _file(people, contract, template, who=who)
    assert OperationalReport.objects.filter(contract=contract).count() == 4


def test_seed_003_invalid_or_missing_answers_are_refused(people, scc, contract):
    """seed 003: each answer of its type and every required question answered."""
    template = _issue(people, scc)
    with pytest.raises(ValidationFailed) as exc:
        _file(people, contract, template, answers={"were_care_plans_followed": "yes"})
    assert "answers.placements_reviewed_this_period" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.operational_report_file(
            actor=people["key"],
            contract=contract,
            template=template,
            period_start=date(2026, 6, 30),
            period_end=date(2026, 4, 1),
            answers=ANSWERS,
            today=TODAY,
        )
    assert "period_end" in exc.value.errors


def test_seed_003_template_for_another_service_type_is_not_offered(people, scc, contract):
    """seed 003: a template issued for one service type is for that type's contracts only."""
    template = _issue(people, scc, service_type="Fostering")
    assert not services.templates_for(contract).filter(pk=template.pk).exists()
    with pytest.raises(ValidationFailed, match="template"):
        _file(people, contract, template)


def test_seed_003_a_used_template_is_never_changed_a_new_version_is_issued(people, scc, contract):
    """seed 003: once a report used a template, changing it issues a new version; the old one
    is withdrawn and the filed report keeps the questions it answered."""
    template = _issue(people, scc)
    same = services.report_template_revise(
        actor=people["ccm"],
        template=template,
        title="Team return",
        questions=QUESTIONS,
        today=TODAY,
    )
    assert same.pk == template.pk and same.title == "Team return"
    report = _file(people, contract, template)
    v2 = services.report_template_revise(
        actor=people["ccm"],
        template=template,
        title="Team return",
        questions=[{"prompt": "Were care plans followed?", "answer_type": "yes_no"}],
        today=TODAY,
    )
    template.refresh_from_db()
    assert v2.pk != template.pk and v2.version == 2 and v2.previous == template
    assert template.withdrawn and len(template.questions) == 4
    report.refresh_from_db()
    assert report.template_id == template.pk and len(report.answered()) == 4
    with pytest.raises(TransitionNotAllowed):
        _file(people, contract, template)
    with pytest.raises(TransitionNotAllowed):
        services.report_template_revise(
            actor=people["ccm"], template=template, title="x", questions=QUESTIONS, today=TODAY
        )
    _file(people, contract, v2, answers={"were_care_plans_followed": True})


def test_permissions_own_and_other_agency_and_provider(people, scc, contract):
    """Only the contract manager issues templates; operational teams of the agency file; a
    finance officer, another council's key worker and a provider may not."""
    for who in ("lead", "key", "other_ccm", "supplier"):
        with pytest.raises(PermissionDeniedError):
            services.report_template_issue(
                actor=people[who], agency=scc, title="x", questions=QUESTIONS, today=TODAY
            )
    template = _issue(people, scc)
    for who in ("finance", "outsider", "supplier"):
        with pytest.raises(PermissionDeniedError):
            _file(people, contract, template, who=who)
    with pytest.raises(PermissionDeniedError):
        services.report_template_revise(
            actor=people["other_ccm"],
            template=template,
            title="x",
            questions=QUESTIONS,
            today=TODAY,
        )


def test_seed_003_operational_reports_through_the_api(
    people, scc, contract, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 003 through the API: the contract manager issues a template, a key worker files a
    report (422 naming the answer at fault), the contract manager lists it; a new version once
    used; another council and the provider get 404."""
    ccm = session_client(people["ccm"])
    created = call(
        ccm,
        "post",
        "/monitoring/report-templates",
        {"title": "Team return", "service_type": "", "questions": QUESTIONS},
    )
    assert created.status_code == 201, created.content
    tid = created.json()["id"]
    bad = call(
        ccm,
        "post",
        "/monitoring/report-templates",
        {"title": "x", "questions": [{"prompt": "Colour?", "answer_type": "colour"}]},
    )
    assert bad.status_code == 422 and "questions.0.answer_type" in str(bad.json())
    assert (
        call(
            session_client(people["key"]),
            "post",
            "/monitoring/report-templates",
            {"title": "x", "questions": QUESTIONS},
        ).status_code
        == 403
    )
    url = f"/monitoring/contracts/{contract.pk}/operational-reports"
    body = {
        "template_id": tid,
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "answers": ANSWERS,
    }
    key = session_client(people["key"])
    wrong = call(key, "post", url, {**body, "answers": {**ANSWERS, "were_care_plans_followed": 7}})
    assert wrong.status_code == 422 and "answers.were_care_plans_followed" in str(wrong.json())
    with django_capture_on_commit_callbacks(execute=True):
        filed = call(key, "post", url, body)
    assert filed.status_code == 201, filed.content
    assert [m.to for m in mailoutbox] == [["ccm@hc.test"]]
    listed = call(ccm, "get", url).json()
    assert [r["template_title"] for r in listed] == ["Team return"]
    for who in ("outsider", "supplier"):
        assert call(session_client(people[who]), "get", url).status_code == 404
        assert call(session_client(people[who]), "post", url, body).status_code == 404
    assert (
        call(session_client(people["supplier"]), "get", "/monitoring/report-templates").status_code
        == 404
    )
    assert (
        call(session_client(people["other_ccm"]), "get", "/monitoring/report-templates").json()
        == []
    )
    assert call(session_client(people["finance"]), "post", url, body).status_code == 403
    revised = call(
        ccm,
        "put",
        f"/monitoring/report-templates/{tid}",
        {"title": "Team return", "questions": QUESTIONS[:1]},
    )
    assert revised.status_code == 200 and revised.json()["version"] == 2
    again = call(
        ccm, "put", f"/monitoring/report-templates/{tid}", {"title": "x", "questions": QUESTIONS}
    )
    assert again.status_code == 409
    assert (
        call(
            session_client(people["other_ccm"]),
            "put",
            f"/monitoring/report-templates/{tid}",
            {"title": "x", "questions": QUESTIONS},
        ).status_code
        == 404
    )
    assert OperationalReportTemplate.objects.get(pk=tid).withdrawn


def test_operational_reports_pages(client, people, scc, contract, django_assert_max_num_queries):
    """The pages: the contract manager issues a template through the form; a key worker files a
    report; the contract manager sees it on the contract's monitoring section and the reports
    page; other councils and the provider get 404; a finance officer cannot file."""
    client.force_login(people["ccm"])
    issued = client.post(
        reverse("monitoring:ops_templates"),
        {
            "title": "Team return",
            "service_type": "",
            "q0_prompt": "Were care plans followed?",
            "q0_type": "yes_no",
            "q0_required": "on",
            "q1_prompt": "How well does the provider work with the team?",
            "q1_type": "rating",
            "q1_required": "on",
        },
    )
    assert issued.status_code == 302, issued.content.decode()[:3000]
    template = OperationalReportTemplate.objects.get()
    assert len(template.questions) == 2
    bad = client.post(reverse("monitoring:ops_templates"), {"title": "x", "q0_prompt": "No type"})
    assert bad.status_code == 200 and "Choose text" in bad.content.decode()
    client.force_login(people["key"])
    new = reverse("monitoring:ops_report_new", args=[contract.pk, template.pk])
    assert "How well does the provider" in client.get(new).content.decode()
    q = template.questions
    refused = client.post(
        new, {"period_start": "2026-04-01", "period_end": "2026-06-30", f"a_{q[0]['key']}": "no"}
    )
    assert refused.status_code == 200 and not OperationalReport.objects.exists()
    filed = client.post(
        new,
        {
            "period_start": "2026-04-01",
            "period_end": "2026-06-30",
            f"a_{q[0]['key']}": "no",
            f"a_{q[1]['key']}": "2",
        },
    )
    assert filed.status_code == 302, filed.content.decode()[:3000]
    for n in range(3):
        _file(people, contract, template, answers={q[0]["key"]: "yes", q[1]["key"]: 4})
    client.force_login(people["ccm"])
    url = reverse("monitoring:ops_reports", args=[contract.pk])
    with django_assert_max_num_queries(15):
        page = client.get(url).content.decode()
    assert "Were care plans followed?" in page and "2 out of 5" in page
    detail = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "Operational monitoring reports" in detail and "Team return, 1 April 2026" in detail
    with django_assert_max_num_queries(15):
        assert client.get(reverse("monitoring:ops_templates")).status_code == 200
    tpl = client.get(reverse("monitoring:ops_template", args=[template.pk])).content.decode()
    assert "issue version 2" in tpl
    client.force_login(people["finance"])
    assert client.get(new).status_code == 403
    for who in ("outsider", "supplier"):
        client.force_login(people[who])
        assert client.get(url).status_code == 404
        assert client.get(new).status_code == 404
    client.force_login(people["supplier"])
    assert client.get(reverse("monitoring:ops_templates")).status_code == 404
