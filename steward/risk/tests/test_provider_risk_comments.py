"""seed 003: "Deciding what opportunities providers have to comment on the accuracy of
performance assessments"; the issue 17 reading: providers comment on the factual accuracy of a
risk assessment about them. The provider sees its own contract's current rating and the factors
counted, never the sources of concerns nor who raised anything; its comment is kept with the
assessment, shown to staff, and the contract manager is emailed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from steward.contracts.services import contract_create, contract_execute
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.tests.api_support import call, session_client
from steward.parties.models import Role
from steward.risk import services
from steward.risk.models import RiskAssessmentComment
from steward.risk.tests.factories import category
from steward.testing.factories import AgencyFactory, UserFactory

TODAY = date(2026, 6, 1)
#: what a provider must never learn about the concern counted in its rating
SECRETS = ("CASE-77", "raiser-jones", "Family or carer", "family", "Telephone")


@pytest.fixture
def scc(packs):
    return AgencyFactory(name="Highland Council", slug="hc", pack=packs["scottish-childrens"])


@pytest.fixture
def people(scc, provider, other_provider, packs):
    other = AgencyFactory(name="Other Council", slug="oc", pack=packs["scottish-childrens"])

    def person(role, name, agency=scc):
        return UserFactory(role=role, agency=agency, username=name, email=f"{name}@hc.test")

    return {
        "ccm": person(Role.CONTRACT_MANAGER, "ccm"),
        "raiser": person(Role.CONTRACT_MONITOR, "raiser-jones"),
        "outsider": person(Role.CONTRACT_MANAGER, "outsider", other),
        "supplier": UserFactory(
            role=Role.PROVIDER_USER, provider=provider, agency=None, username="supplier"
        ),
        "stranger": UserFactory(
            role=Role.PROVIDER_USER, provider=other_provider, agency=None, username="stranger"
        ),
    }


@pytest.fixture
def contract(scc, people, provider):
    ccm = people["ccm"]
    draft = contract_create(
        actor=ccm,
        agency=scc,
        data={
            "number": "HC-R-2",
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
    services.concern_log(
        actor=people["raiser"],
        agency=scc,
        provider=provider,
        data={
            "kind": "complaint",
            "received_on": TODAY,
            "source": "family",
            "channel": "phone",
            "category": category(scc, "safeguarding"),
            "severity": "high",
            "summary": "Bruising not reported",
            "description": "Reported by the family.",
            "complainant_reference": "CASE-77",
            "contract": executed,
        },
        today=TODAY,
    )
    services.risk_recompute_contract(actor=ccm, contract=executed, as_of=TODAY)
    return executed


def test_seed_003_provider_sees_its_rating_and_factors_never_the_sources(people, contract):
    """seed 003: the provider sees the current rating and the factors counted (to comment on
    their accuracy), never the concern's source, channel, reference or who raised it."""
    view = services.provider_risk_view(actor=people["supplier"], contract=contract)
    assert view is not None and view["rating"] in ("green", "amber", "red")
    assert any("concern" in f for f in view["factors"])
    shown = repr({k: v for k, v in view.items() if k != "assessment"})
    for secret in SECRETS:
        assert secret not in shown
    with pytest.raises(PermissionDeniedError):
        services.provider_risk_view(actor=people["stranger"], contract=contract)


def test_seed_003_provider_comments_on_the_assessment_the_manager_is_told(
    people, contract, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 003: the provider comments on the factual accuracy; kept with the assessment (date
    and text); the contract manager is emailed. Staff may not comment on its behalf; an empty
    comment and a superseded assessment are refused."""
    view = services.provider_risk_view(actor=people["supplier"], contract=contract)
    assessment = view["assessment"]
    with django_capture_on_commit_callbacks(execute=True):
        row = services.risk_comment_add(
            actor=people["supplier"],
            assessment=assessment,
            comment="The bruising was reported on the day.",
            today=TODAY,
        )
    assert row.assessment == assessment and row.commented_on == TODAY
    [mail] = mailoutbox
    assert mail.to == ["ccm@hc.test"] and "reported on the day" in mail.body
    for who in ("ccm", "stranger", "outsider"):
        with pytest.raises(PermissionDeniedError):
            services.risk_comment_add(actor=people[who], assessment=assessment, comment="x")
    with pytest.raises(ValidationFailed):
        services.risk_comment_add(actor=people["supplier"], assessment=assessment, comment=" ")
    services.risk_recompute_contract(actor=people["ccm"], contract=contract, as_of=date(2026, 7, 1))
    with pytest.raises(TransitionNotAllowed):
        services.risk_comment_add(actor=people["supplier"], assessment=assessment, comment="x")


def test_seed_003_provider_risk_and_comments_through_the_api(
    people, contract, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 003 through the API: the provider reads its rating and factors and comments; the
    concern's source stays hidden (the concern endpoint too); other providers and councils 404;
    agency staff read the provider's view and the comment but cannot comment (403)."""
    supplier = session_client(people["supplier"])
    url = f"/contracts/{contract.pk}/risk/provider-view"
    seen = call(supplier, "get", url)
    assert seen.status_code == 200, seen.content
    body = seen.content.decode()
    for secret in SECRETS:
        assert secret not in body
    assert "score" not in seen.json() and "override_reason" not in seen.json()
    assert call(supplier, "get", f"/contracts/{contract.pk}/risk").status_code == 404
    comments = f"/contracts/{contract.pk}/risk/provider-comments"
    assert call(supplier, "post", comments, {"comment": ""}).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        made = call(supplier, "post", comments, {"comment": "Reported the same day."})
    assert made.status_code == 201, made.content
    assert [m.to for m in mailoutbox] == [["ccm@hc.test"]]
    ccm = session_client(people["ccm"])
    staff = call(ccm, "get", url).json()
    assert [c["comment"] for c in staff["comments"]] == ["Reported the same day."]
    assert call(ccm, "post", comments, {"comment": "x"}).status_code == 403
    for who in ("stranger", "outsider"):
        assert call(session_client(people[who]), "get", url).status_code == 404
        assert (
            call(session_client(people[who]), "post", comments, {"comment": "x"}).status_code == 404
        )
    concerns = call(supplier, "get", "/concerns").content.decode()
    assert "CASE-77" not in concerns and "raiser-jones" not in concerns
    assert '"source"' not in concerns or '"source": null' in concerns


def test_provider_risk_pages(client, people, contract, django_assert_max_num_queries):
    """The pages: the provider sees its rating and factors on the contract page and comments on
    the risk page; staff see the comment on the contract's risk page; sources never shown to
    the provider; other providers and councils 404."""
    client.force_login(people["supplier"])
    detail = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "Comment on the facts of this assessment" in detail
    url = reverse("risk:provider_view", args=[contract.pk])
    with django_assert_max_num_queries(15):
        page = client.get(url).content.decode()
    assert "Factors counted" in page and "concern" in page
    for secret in SECRETS:
        assert secret not in page and secret not in detail
    assert client.post(url, {"comment": "We reported it."}).status_code == 302
    assert RiskAssessmentComment.objects.get().comment == "We reported it."
    client.force_login(people["ccm"])
    risk = client.get(reverse("risk:contract", args=[contract.pk])).content.decode()
    assert "We reported it." in risk
    assert 'name="comment"' not in client.get(url).content.decode()
    assert client.post(url, {"comment": "x"}).status_code == 403
    for who in ("stranger", "outsider"):
        client.force_login(people[who])
        assert client.get(url).status_code == 404
