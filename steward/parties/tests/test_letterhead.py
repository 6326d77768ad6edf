"""The letterhead of letters and notices (issue 21 point 7): the agency's name, address and
logo, the provider's address, the signatory, the paper and the language; the logo upload's
checks and the agency page where administrators set them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from steward.core.errors import PermissionDeniedError, ValidationFailed
from steward.core.letters import LOGO_MAX_BYTES
from steward.parties.letterhead import letterhead, provider_address
from steward.parties.models import Agency, Role
from steward.parties.services import agency_logo_set
from steward.testing.factories import AgencyFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(size: tuple[int, int] = (8, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (27, 54, 93)).save(out, format="PNG")
    return out.getvalue()


def test_a_us_agency_writes_on_letter_with_us_dates(agency):
    agency.address = "505 Hudson Street\nHartford, CT 06106"
    agency.contact_email = "contracts@dcf.example.gov"
    agency.signatory_name = "Jordan Reyes"
    agency.signatory_title = "Director of Contracts"
    agency.save()
    provider = ProviderFactory(
        legal_name="Riverbend Family Services",
        address_line1="12 Main Street",
        address_line2="Suite 4",
        city="Hartford",
        region="CT",
        postcode="06103",
        country="US",
    )
    head = letterhead(agency, provider=provider)
    assert head.agency_name == agency.name
    assert head.agency_lines == ["505 Hudson Street", "Hartford, CT 06106"]
    assert head.recipient_name == "Riverbend Family Services"
    assert head.recipient_lines == ["12 Main Street", "Suite 4", "Hartford, CT 06103"]
    assert (head.paper, head.language, head.date_format) == ("letter", "en-US", "F j, Y")
    assert (head.signatory_name, head.signatory_title) == ("Jordan Reyes", "Director of Contracts")
    assert head.logo == ""


def test_a_uk_agency_writes_on_a4_and_the_manager_signs_without_a_signatory(packs):
    council = AgencyFactory(name="West London Council", slug="wl", pack=packs["west-london-sp"])
    provider = ProviderFactory(
        address_line1="3 High Street", city="Ealing", postcode="W5 2NU", country="GB"
    )
    manager = UserFactory(first_name="Sam", last_name="Okafor", agency=council)
    head = letterhead(council, provider=provider, manager=manager)
    assert (head.paper, head.language, head.date_format) == ("A4", "en-GB", "j F Y")
    assert head.recipient_lines == ["3 High Street", "Ealing", "W5 2NU"]
    assert (head.signatory_name, head.signatory_title) == ("Sam Okafor", "Contract manager")


def test_a_provider_abroad_gets_its_country_line():
    provider = ProviderFactory.build(address_line1="1 Rue", city="Paris", country="FR")
    assert provider_address(provider, agency_country="GB")[-1] == "FR"
    assert provider_address(provider, agency_country="FR")[-1] == "Paris"


def test_the_logo_goes_into_the_letter_as_data(agency, make_user):
    admin = make_user(Role.ADMINISTRATOR)
    agency_logo_set(actor=admin, agency=agency, upload=SimpleUploadedFile("dcf.png", png()))
    agency.refresh_from_db()
    assert agency.logo.name.startswith("agency-logos/dcf")
    assert letterhead(agency).logo.startswith("data:image/png;base64,")
    assert agency.history.first().history_change_reason == "Logo changed"
    agency_logo_set(actor=admin, agency=agency, upload=None)
    agency.refresh_from_db()
    assert not agency.logo and letterhead(agency).logo == ""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.gif", b"GIF89a" + b"\0" * 20, "PNG or JPEG"),
        ("logo.png", b"not a picture at all", "signature does not match"),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * LOGO_MAX_BYTES, "largest accepted"),
        ("logo.png", b"", "empty"),
    ],
)
def test_a_logo_of_another_type_or_too_large_is_refused_on_its_field(
    agency, make_user, name, content, message
):
    with pytest.raises(ValidationFailed) as refused:
        agency_logo_set(
            actor=make_user(Role.ADMINISTRATOR),
            agency=agency,
            upload=SimpleUploadedFile(name, content),
        )
    assert message in refused.value.errors["logo"][0]
    agency.refresh_from_db()
    assert not agency.logo


def test_only_administrators_set_the_logo(agency, make_user):
    with pytest.raises(PermissionDeniedError):
        agency_logo_set(
            actor=make_user(Role.CONTRACT_MANAGER),
            agency=agency,
            upload=SimpleUploadedFile("dcf.png", png()),
        )


def test_the_administrator_sets_the_letterhead_on_the_agency_page(client, make_user, agency):
    client.force_login(make_user(Role.ADMINISTRATOR))
    url = f"/agencies/{agency.slug}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'enctype="multipart/form-data"' in body and "Who signs letters" in body
    form = dict(page.context["form"].initial)
    form.update(
        signatory_name="Jordan Reyes",
        signatory_title="Director of Contracts",
        version=page.context["form"]["version"].value(),
        logo=SimpleUploadedFile("dcf.png", png(), content_type="image/png"),
    )
    response = client.post(url, form)
    assert response.status_code == 302, response.context["form"].errors
    agency.refresh_from_db()
    assert (agency.signatory_name, agency.signatory_title) == (
        "Jordan Reyes",
        "Director of Contracts",
    )
    assert agency.logo
    detail = client.get(f"/agencies/{agency.slug}/").content.decode()
    assert "Jordan Reyes, Director of Contracts" in detail


def test_a_bad_logo_on_the_page_keeps_the_other_changes_out(client, make_user, agency):
    client.force_login(make_user(Role.ADMINISTRATOR))
    url = f"/agencies/{agency.slug}/edit/"
    page = client.get(url)
    form = dict(page.context["form"].initial)
    form.update(
        signatory_name="Jordan Reyes",
        version=page.context["form"]["version"].value(),
        logo=SimpleUploadedFile("dcf.png", b"plain text"),
    )
    response = client.post(url, form)
    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    assert Agency.objects.get(pk=agency.pk).signatory_name == ""


@pytest.mark.parametrize("role", [Role.CONTRACT_MANAGER, Role.PROVIDER_USER])
def test_others_may_not_edit_the_letterhead(client, make_user, agency, role):
    client.force_login(make_user(role))
    assert client.get(f"/agencies/{agency.slug}/edit/").status_code in (403, 404)


def test_the_api_shows_the_signatory_and_whether_there_is_a_logo(client, make_user, agency):
    from steward.core.tests.api_support import token_client

    agency.signatory_name = "Jordan Reyes"
    agency.save()
    api = token_client(make_user(Role.ADMINISTRATOR))
    body = api.get(f"/api/v1/agencies/{agency.slug}").json()
    assert body["signatory_name"] == "Jordan Reyes" and body["has_logo"] is False
    patched = api.patch(
        f"/api/v1/agencies/{agency.slug}",
        {"signatory_title": "Commissioner"},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert Agency.objects.get(pk=agency.pk).signatory_title == "Commissioner"
