"""seed 003 roles table, "Operational Monitoring of Contracts" and "Strategic Monitoring of
Contracts": the lead professional (a contract monitor) analyses risk, decides whether
additional monitoring is required and advises the contract manager, or asks them to enforce
the terms, renegotiate or terminate; the contract manager answers. Complaint logs reach the
contract manager, who is alerted when a concern is logged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.services import contract_create, contract_execute
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.tests.api_support import call, session_client
from steward.monitoring import services_lead as services
from steward.monitoring.models import LeadProfessionalRequest
from steward.parties.models import Role
from steward.procurement.models import TerminationReview
from steward.risk import services as risk_services
from steward.risk.models import RiskAssessment
from steward.risk.tests.factories import category
from steward.testing.factories import AgencyFactory, UserFactory
from steward.workspace.selectors import work_items

TODAY = date(2026, 6, 1)


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
        "outsider": person(Role.CONTRACT_MONITOR, "outsider", other),
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
        },
    )
    executed = contract_execute(actor=ccm, contract=draft, executed_on=date(2026, 3, 1))
    risk_services.risk_recompute_contract(actor=ccm, contract=executed, as_of=TODAY)
    return executed


def _advise(people, contract, **over):
    data = {
        "kind": "additional_monitoring",
        "risk_analysis": "Two placement reviews found care plans not followed.",
        "additional_monitoring": True,
        "proposed_level": "enhanced",
        "advice": "Visit the home before the biannual review.",
    }
    data.update(over)
    return services.lead_request_raise(actor=people["lead"], contract=contract, today=TODAY, **data)


def _open(kind, subject):
    return DueDate.objects.filter(kind=kind, subject_id=subject.pk, status=DueDateStatus.OPEN)


def test_seed_003_lead_professional_advises_additional_monitoring_the_manager_decides(
    people, contract, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 003: the lead professional "analyse[s] risk and decide[s] whether additional
    monitoring is required" and advises the CCM; the CCM is told (email and work list) and
    accepts; only then does the monitoring level change."""
    before = RiskAssessment.objects.filter(contract=contract).latest().monitoring_level
    with django_capture_on_commit_callbacks(execute=True):
        advice = _advise(people, contract)
    assert before != "enhanced"
    assert RiskAssessment.objects.filter(contract=contract).latest().monitoring_level == before
    [mail] = mailoutbox
    assert mail.to == ["ccm@hc.test"] and "care plans not followed" in mail.body
    [item] = [
        i for i in work_items(user=people["ccm"]) if i.due.kind == "lead_professional_request"
    ]
    assert item.url == reverse("monitoring:lead_requests", args=[contract.pk])
    with pytest.raises(PermissionDeniedError):
        services.lead_request_answer(
            actor=people["lead"], request=advice, accept=True, response="x", today=TODAY
        )
    with pytest.raises(ValidationFailed, match="response"):
        services.lead_request_answer(
            actor=people["ccm"], request=advice, accept=True, response=" ", today=TODAY
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_request_answer(
            actor=people["ccm"], request=advice, accept=True, response="Agreed.", today=TODAY
        )
    assert RiskAssessment.objects.filter(contract=contract).latest().monitoring_level == "enhanced"
    assert not _open("lead_professional_request", advice).exists()
    assert mailoutbox[-1].to == ["lead@hc.test"] and "accepted" in mailoutbox[-1].body
    with pytest.raises(TransitionNotAllowed):
        services.lead_request_answer(
            actor=people["ccm"], request=advice, accept=False, response="no", today=TODAY
        )


def test_seed_003_risk_analysis_and_decision_are_required(people, contract):
    """seed 003: the advice carries the lead professional's analysis and their decision."""
    with pytest.raises(ValidationFailed, match="analysis"):
        _advise(people, contract, risk_analysis="")
    with pytest.raises(ValidationFailed, match="whether additional monitoring"):
        _advise(people, contract, additional_monitoring=None)
    no_more = _advise(people, contract, additional_monitoring=False, proposed_level="")
    assert no_more.proposed_level == ""


def test_seed_003_request_to_enforce_or_renegotiate_and_the_response(people, contract):
    """seed 003: "to request the CCM to enforce contract terms and conditions, renegotiate or
    terminate the contract": kept with the CCM's response (a decline here)."""
    ask = _advise(people, contract, kind="renegotiate", advice="Fewer beds, more outreach.")
    services.lead_request_answer(
        actor=people["ccm"],
        request=ask,
        accept=False,
        response="Not before the review.",
        today=TODAY,
    )
    ask.refresh_from_db()
    assert ask.status == "declined" and ask.response == "Not before the review."
    enforce = _advise(people, contract, kind="enforce_terms", advice="Staffing ratio breached.")
    assert enforce.status == "open"


def test_seed_003_terminate_request_opens_the_early_termination_workflow(people, contract):
    """seed 003 "Termination of Contract": a request to terminate goes to the existing early
    termination review (not a second record)."""
    review = _advise(people, contract, kind="terminate", advice="Repeated safeguarding failures.")
    assert isinstance(review, TerminationReview) and review.status == "requested"
    assert review.request_reason == "Repeated safeguarding failures."
    assert not LeadProfessionalRequest.objects.exists()


def test_permissions_own_and_other_agency_and_provider(people, contract):
    """Contract monitors and managers of the agency raise; a key worker, another council's
    monitor and a provider may not."""
    for name in ("key", "outsider", "supplier"):
        with pytest.raises(PermissionDeniedError):
            services.lead_request_raise(
                actor=people[name], contract=contract, kind="enforce_terms", advice="x", today=TODAY
            )
    ask = _advise(people, contract, kind="enforce_terms", advice="Breach.")
    with pytest.raises(PermissionDeniedError):
        services.lead_request_answer(
            actor=people["other_ccm"], request=ask, accept=True, response="x", today=TODAY
        )


def test_seed_003_lead_professional_advice_through_the_api(people, contract):
    """seed 003 through the API: the lead professional sends the analysis and advice, the
    contract manager accepts, the monitoring level follows; others get 404 or 403."""
    url = f"/monitoring/contracts/{contract.pk}/lead-requests"
    lead = session_client(people["lead"])
    body = {
        "kind": "additional_monitoring",
        "risk_analysis": "Complaints rising.",
        "additional_monitoring": True,
        "advice": "Enhanced monitoring for six months.",
    }
    created = call(lead, "post", url, body)
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert created.json()["proposed_level"] == "enhanced"
    assert call(lead, "post", url, {**body, "risk_analysis": ""}).status_code == 422
    for name in ("outsider", "supplier"):
        assert call(session_client(people[name]), "get", url).status_code == 404
        assert call(session_client(people[name]), "post", url, body).status_code == 404
    assert call(session_client(people["key"]), "post", url, body).status_code == 403
    answer = f"/monitoring/lead-requests/{rid}/answer"
    assert call(lead, "post", answer, {"accept": True, "response": "x"}).status_code == 403
    ok = call(session_client(people["ccm"]), "post", answer, {"accept": True, "response": "Yes."})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    assert RiskAssessment.objects.filter(contract=contract).latest().monitoring_level == "enhanced"
    again = call(session_client(people["ccm"]), "post", answer, {"accept": True, "response": "Y"})
    assert again.status_code == 409
    terminate = call(lead, "post", url, {"kind": "terminate", "advice": "Unsafe."})
    assert terminate.status_code == 201 and terminate.json()["status"] == "requested"
    listed = call(session_client(people["ccm"]), "get", url).json()
    assert [r["kind"] for r in listed] == ["additional_monitoring"]


def test_lead_requests_page(client, people, contract, django_assert_max_num_queries):
    """The page: the lead professional sends through the form, the contract manager answers;
    a provider and another council get 404; a key worker sees no form and cannot post."""
    url = reverse("monitoring:lead_requests", args=[contract.pk])
    client.force_login(people["lead"])
    sent = client.post(
        url,
        {
            "kind": "additional_monitoring",
            "risk_analysis": "Care plans not followed.",
            "additional_monitoring": "yes",
            "proposed_level": "enhanced",
            "advice": "Visit.",
        },
    )
    assert sent.status_code == 302
    for n in range(3):
        _advise(people, contract, kind="enforce_terms", advice=f"Breach {n}.")
    client.force_login(people["ccm"])
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert "Care plans not followed." in page and "Accept" in page
    assert "Additional monitoring (risk analysis), " in page  # the kind in words, not its key
    advice = LeadProfessionalRequest.objects.get(kind="additional_monitoring")
    answer = reverse("monitoring:lead_request_answer", args=[advice.pk, "decline"])
    assert client.post(answer, {"response": "Not now."}).status_code == 302
    advice.refresh_from_db()
    assert advice.status == "declined"
    client.force_login(people["key"])
    assert 'name="advice"' not in client.get(url).content.decode()
    assert client.post(url, {"kind": "renegotiate", "advice": "x"}).status_code == 403
    for name in ("outsider", "supplier"):
        client.force_login(people[name])
        assert client.get(url).status_code == 404


# ------------------------------------------------------------------ complaint logs reach the CCM


def _concern(scc, provider, contract, kind="complaint"):
    return {
        "kind": kind,
        "received_on": TODAY,
        "source": "family",
        "channel": "email",
        "category": category(scc, "safeguarding"),
        "severity": "high",
        "summary": "Bruising not reported",
        "description": "Family reports bruising not recorded.",
        "complainant_reference": "CASE-77",
        "contract": contract,
    }


def test_seed_003_contract_manager_is_alerted_when_a_concern_is_logged(
    people, scc, provider, contract, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 003: the lead professional is "to complete complaint logs and send to CCM"; the
    CCM receives concerns: an email through the outbox to the contract's manager, without the
    complainant's reference. A compliment is not an alert."""
    with django_capture_on_commit_callbacks(execute=True):
        risk_services.concern_log(
            actor=people["lead"],
            agency=scc,
            provider=provider,
            data=_concern(scc, provider, contract),
            today=TODAY,
        )
    [mail] = mailoutbox
    assert mail.to == ["ccm@hc.test"] and "HC-R-1" in mail.subject
    assert "Bruising not reported" in mail.body and "CASE-77" not in mail.body
    with django_capture_on_commit_callbacks(execute=True):
        risk_services.concern_log(
            actor=people["lead"],
            agency=scc,
            provider=provider,
            data=_concern(scc, provider, contract, kind="compliment"),
            today=TODAY,
        )
    assert len(mailoutbox) == 1


def test_seed_003_concern_alert_through_the_api(
    people, scc, provider, contract, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 003 through the API: logging a concern alerts the contract manager; a provider
    cannot log one."""
    body = {
        "provider": provider.slug,
        "contract": contract.number,
        "kind": "concern",
        "received_on": TODAY.isoformat(),
        "source": "staff",
        "channel": "phone",
        "category": "safeguarding",
        "severity": "medium",
        "summary": "Late medication",
        "description": "Reported by the team.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        logged = call(session_client(people["lead"]), "post", "/concerns", body)
    assert logged.status_code == 201, logged.content
    assert [m.to for m in mailoutbox] == [["ccm@hc.test"]]
    refused = call(session_client(people["supplier"]), "post", "/concerns", body)
    assert refused.status_code in (403, 404, 422)
    assert len(mailoutbox) == 1


# ------------------------------------------------------- the provider comments on the facts


def test_seed_003_provider_comments_on_the_accuracy_of_a_concern_without_its_source(
    client,
    people,
    scc,
    provider,
    other_provider,
    contract,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """seed 003: "what opportunities providers have to comment on the accuracy of performance
    assessments": the provider's user comments on a concern about it (service, API, page),
    the contract manager is emailed; the provider never sees who raised it."""
    concern = risk_services.concern_log(
        actor=people["lead"],
        agency=scc,
        provider=provider,
        data=_concern(scc, provider, contract),
        today=TODAY,
    )
    supplier = people["supplier"]
    with pytest.raises(ValidationFailed):
        risk_services.concern_comment_add(actor=supplier, concern=concern, comment=" ")
    for name in ("lead", "ccm"):
        with pytest.raises(PermissionDeniedError):
            risk_services.concern_comment_add(actor=people[name], concern=concern, comment="x")
    stranger = UserFactory(
        role=Role.PROVIDER_USER, provider=other_provider, agency=None, username="stranger"
    )
    with pytest.raises(PermissionDeniedError):
        risk_services.concern_comment_add(actor=stranger, concern=concern, comment="x")
    with django_capture_on_commit_callbacks(execute=True):
        risk_services.concern_comment_add(
            actor=supplier, concern=concern, comment="The bruise was recorded on 30 May."
        )
    assert mailoutbox[-1].to == ["ccm@hc.test"] and "30 May" in mailoutbox[-1].body

    url = f"/concerns/{concern.pk}/provider-comments"
    api = session_client(supplier)
    posted = call(api, "post", url, {"comment": "Staff rota attached."})
    assert posted.status_code == 201, posted.content
    seen = call(api, "get", f"/concerns/{concern.pk}").json()
    assert "source" not in seen and "complainant_reference" not in seen
    assert len(call(session_client(people["ccm"]), "get", url).json()) == 2
    assert call(session_client(stranger), "post", url, {"comment": "x"}).status_code == 404
    assert call(session_client(people["lead"]), "post", url, {"comment": "x"}).status_code == 403

    client.force_login(supplier)
    page = client.get(reverse("risk:concern_detail", args=[concern.pk])).content.decode()
    assert (
        "Staff rota attached." in page and "CASE-77" not in page and "Family or carer" not in page
    )
    sent = client.post(reverse("risk:concern_comment", args=[concern.pk]), {"comment": "More."})
    assert sent.status_code == 302 and concern.provider_comments.count() == 3
    client.force_login(people["lead"])
    assert (
        client.post(
            reverse("risk:concern_comment", args=[concern.pk]), {"comment": "x"}
        ).status_code
        == 403
    )
