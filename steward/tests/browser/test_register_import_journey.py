"""Journey: a contract manager imports a register file (check, then confirm), exercises a
renewal option, and downloads the register; every page axe-checked (issue 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from steward.contracts.models import Contract
from steward.testing.factories import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = (
    "Number,Title,Provider,Contract Type,Start Date,End Date,Renewal Options,"
    "Maximum Obligation,Compensation Structure,Procurement Method\n"
    'IMP-1,Wraparound services,Acme Care,pos,01/01/2026,12/31/2026,1,"$25,000",unit_rate,tendered\n'
    "IMP-2,Respite,Acme Care,psa,2026-02-01,2026-13-31,0,500,fixed_price,sole_source\n"
)


def test_manager_imports_a_register_and_renews_a_contract(watched, manager, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    bad = tmp_path / "register.csv"
    bad.write_text(FILE)
    page = watched.page
    sign_in(watched, manager.username, PASSWORD)
    page.goto("/contracts/")
    page.get_by_role("link", name="Import a register").click()
    page.wait_for_load_state()
    watched.check()

    page.get_by_label("Register file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    # the check ran as a background job: its page shows the result
    page.wait_for_url(re.compile(r"/jobs/\d+/"))
    assert page.get_by_role("heading", name="The file cannot be imported").is_visible()
    assert "2026-13-31" in page.locator("#job-status").inner_text()
    watched.check()
    assert Contract.objects.count() == 0
    page.goto("/contracts/import/")

    good = tmp_path / "fixed.csv"
    good.write_text(FILE.replace("2026-13-31", "2026-12-31"))
    page.get_by_label("Register file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/"))
    assert page.get_by_role("heading", name="Ready to import").is_visible()
    watched.check()
    page.get_by_role("button", name="Import 2 rows").click()
    page.wait_for_url(re.compile(r"/contracts/\?agency="))
    assert "2 created" in page.locator(".usa-alert").first.inner_text()
    watched.check()

    page.get_by_role("link", name="IMP-1").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Exercise a renewal option").click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_label("Effective date").fill("2026-12-01")
    page.get_by_label("New end date").fill("2027-12-31")
    page.get_by_label("Reason for renewing").fill("Outcomes met")
    page.get_by_role("button", name="Exercise the option").click()
    page.wait_for_load_state()
    assert page.get_by_text("Renewal option exercised.").is_visible()
    assert page.get_by_text("1, 1 exercised").is_visible()
    watched.check()

    with page.expect_download() as download:
        page.goto("/contracts/")
        page.get_by_role("link", name="CSV").click()
    assert "IMP-1" in Path(download.value.path()).read_text(encoding="utf-8")
