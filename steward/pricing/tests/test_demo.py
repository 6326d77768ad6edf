"""The pricing demo extension adds rate calculations and payments to Massachusetts demo
contracts, through the services."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from steward.pricing.models import Payment, RateCalculation

pytestmark = pytest.mark.django_db


def test_demo_adds_pricing_records():
    call_command("demo", "--today", date(2026, 3, 10).isoformat())
    numbers = set(RateCalculation.objects.values_list("contract__number", flat=True))
    assert {"DMH-POS-3104", "DMH-POS-3098", "DMH-POS-3121"} <= numbers
    assert Payment.objects.exists()
