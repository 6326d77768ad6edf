"""A provider's written appeal of a monitoring decision, recorded by the contract manager (issue
22; seed 004: staff record what providers send by letter or email; the results letter of seed
002's stage 8 tells the provider it may appeal "in writing to the contract manager"), through
the service, the API and the page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.formatting import fmt_date
from steward.core.tests.api_support import call, session_client
from steward.monitoring import services
from steward.monitoring.models import Cycle
from steward.monitoring.tests.factories import walk
from steward.parties.models import Role

pytestmark = pytest.mark.django_db


def _at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 15, tzinfo=UTC), tick=False)


@pytest.fixture
def letter_sent(live, manager, provider_user):
    return walk(live, manager=manager, provider_user=provider_user, to="letter")


def test_seed_004_contract_manager_records_a_written_appeal(letter_sent, manager):
    """Seed 004 (and seed 002 stage 8): the contract manager records the provider's appeal sent
    by letter, dated the day it was received; it meets the appeal window, the cycle moves to
    the appeal, the audit row says how it came and who recorded it."""
    cycle = letter_sent
    received = cycle.letter_on + timedelta(days=5)
    services.appeal_lodge(
        actor=manager,
        cycle=cycle,
        grounds="Area 2 was misjudged: the files were available.",
        on=received,
        received_via="letter",
        today=received + timedelta(days=2),
    )
    cycle = Cycle.objects.get(pk=cycle.pk)
    assert cycle.stage == 8 and cycle.appeal_lodged_on == received
    assert cycle.appeal_received_via == "letter" and cycle.appeal_lodged_by == manager
    assert cycle.appeal_due.status == "done"
    reason = cycle.history.first().history_change_reason
    assert f"received by letter on {fmt_date(received)}" in reason
    assert "recorded by the agency" in reason


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"received_via": ""}, "received_via"),
        ({"received_via": "fax"}, "received_via"),
        ({"on": None}, "on"),
        ({"on": "future"}, "on"),
        ({"on": "before"}, "on"),
        ({"grounds": " "}, "grounds"),
    ],
)
def test_seed_004_written_appeal_needs_how_when_and_grounds(letter_sent, manager, over, field):
    """Seed 004: the contract manager says how the appeal came (letter or email), the day it
    was received (not in the future, not before the results letter) and the provider's
    grounds (422)."""
    cycle = letter_sent
    today = cycle.letter_on + timedelta(days=3)
    data = {
        "grounds": "Unfair.",
        "on": cycle.letter_on + timedelta(days=1),
        "received_via": "email",
    }
    data.update(over)
    if data["on"] == "future":
        data["on"] = today + timedelta(days=1)
    elif data["on"] == "before":
        data["on"] = cycle.letter_on - timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        services.appeal_lodge(actor=manager, cycle=cycle, today=today, **data)
    assert field in refused.value.errors
    assert Cycle.objects.get(pk=cycle.pk).appeal_lodged_on is None


def test_seed_004_written_appeal_after_the_window_or_by_others(letter_sent, manager, make_user):
    """Seed 002: received after the 14 days it is refused (409); a contract monitor or senior
    manager does not record it (403); a provider lodging its own appeal does not say how it
    came (422)."""
    cycle = letter_sent
    late = cycle.appeal_due.due_date + timedelta(days=1)
    with pytest.raises(TransitionNotAllowed):
        services.appeal_lodge(
            actor=manager, cycle=cycle, grounds="x", on=late, received_via="letter", today=late
        )
    for role in (Role.CONTRACT_MONITOR, Role.SENIOR_MANAGER):
        with pytest.raises(PermissionDeniedError):
            services.appeal_lodge(
                actor=make_user(role),
                cycle=cycle,
                grounds="x",
                on=cycle.letter_on,
                received_via="letter",
                today=cycle.letter_on,
            )


def test_seed_004_written_appeal_through_the_api(letter_sent, manager, provider_user):
    """Seed 004 through the API: the provider's own appeal carries no `received_via` (422 when
    given); the contract manager's needs it and the day it came (422), then is recorded (200)
    and shown to the provider with how it came."""
    cycle = letter_sent
    path = f"/monitoring/cycles/{cycle.pk}/appeal"
    received = cycle.letter_on + timedelta(days=2)
    with _at(received + timedelta(days=1)):
        provider = session_client(provider_user)
        refused = call(provider, "post", path, {"grounds": "Unfair.", "received_via": "email"})
        assert refused.status_code == 422
        staff = session_client(manager)
        refused = call(staff, "post", path, {"grounds": "Unfair."})
        assert refused.status_code == 422
        assert set(refused.json()["errors"]) == {"received_via", "on"}
        body = {"grounds": "Unfair.", "received_via": "email", "on": received.isoformat()}
        done = call(staff, "post", path, body)
        assert done.status_code == 200, done.content
        appeal = done.json()["appeal"]
        assert appeal["received_via"] == "email" and appeal["lodged_on"] == received.isoformat()
        seen = call(provider, "get", f"/monitoring/cycles/{cycle.pk}").json()["appeal"]
        assert seen["received_via"] == "email" and seen["grounds"] == "Unfair."


def test_seed_004_written_appeal_page(client, letter_sent, manager, provider_user):
    """Seed 004 on the pages: the cycle offers the contract manager "Record the provider's
    written appeal"; the form records it; the cycle page says how it came."""
    cycle = letter_sent
    received = cycle.letter_on + timedelta(days=2)
    with _at(received + timedelta(days=1)):
        client.force_login(manager)
        page = client.get(f"/monitoring/{cycle.pk}/")
        assert b"Record the provider&#x27;s written appeal" in page.content
        url = f"/monitoring/{cycle.pk}/appeal/record/"
        assert client.get(url).status_code == 200
        form = {"received_via": "letter", "on": received.isoformat(), "grounds": "Unfair."}
        refused = client.post(url, form | {"on": (received + timedelta(days=5)).isoformat()})
        assert refused.status_code == 200 and b"cannot be after today" in refused.content
        done = client.post(url, form, follow=True)
        assert done.status_code == 200
        assert b"by letter, recorded by" in done.content
        client.force_login(provider_user)
        assert client.get(url).status_code == 403
