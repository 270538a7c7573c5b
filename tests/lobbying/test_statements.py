"""Joint statements: individuals show at once, organisations once staff verify them; logos are checked; the
public page counts signatures; the follow-up campaign writes to every MP who has not signed."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from leveller.lobbying import geography
from leveller.lobbying.actions import statements
from leveller.lobbying.models import Signature, SignatureState, Targets

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def statement(staff):
    made = statements.create_statement(actor=staff, title="No to the Bill", text="We, the undersigned, oppose it.")
    return statements.set_statement_status(actor=staff, statement=made, status="open")


def test_an_individual_shows_at_once_and_an_organisation_after_staff_verify_it(client, statement, staff, settings,
                                                                              tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    statements.sign(actor=None, statement=statement, kind="individual", name="Ivy Individual", email="ivy@example.net",
                    role="Nurse", consent=True)  # fmt: skip
    org = statements.sign(actor=None, statement=statement, kind="organisation", name="Una Union",
                          email="una@union.example", role="General Secretary", organisation="The Union",
                          logo=SimpleUploadedFile("logo.png", _png(), "image/png"), consent=True)  # fmt: skip
    page = client.get(f"/statements/{statement.slug}/").content.decode()
    assert "Ivy Individual" in page and "The Union" not in page
    assert client.get(f"/statements/logos/{org.pk}/").status_code == 404  # not public until verified
    statements.verify_signature(actor=staff, signature=org, approve=True)
    page = client.get(f"/statements/{statement.slug}/").content.decode()
    assert "The Union" in page and "una@union.example" not in page and "ivy@example.net" not in page
    assert "<strong>1</strong> organisation and <strong>1</strong> individual" in page
    logo = client.get(f"/statements/logos/{org.pk}/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"


def test_a_logo_that_is_not_an_image_or_too_big_is_refused(statement, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("logo.png", b"<script>alert(1)</script>", "image/png")
    with pytest.raises(ValidationError) as caught:
        statements.sign(actor=None, statement=statement, kind="organisation", name="A", email="a@example.net",
                        organisation="Org", logo=fake, consent=True)  # fmt: skip
    assert "not a picture" in caught.value.message_dict["logo"][0]
    big = SimpleUploadedFile("logo.png", b"0" * (statements.LOGO_MAX_BYTES + 1), "image/png")
    with pytest.raises(ValidationError, match="over 1 MB"):
        statements.sign(actor=None, statement=statement, kind="organisation", name="A", email="a@example.net",
                        organisation="Org", logo=big, consent=True)  # fmt: skip
    assert not Signature.objects.exists()


def test_one_signature_per_email_and_consent_is_required(statement):
    statements.sign(actor=None, statement=statement, kind="individual", name="Ivy", email="ivy@example.net",
                    consent=True)  # fmt: skip
    with pytest.raises(ValidationError, match="already signed"):
        statements.sign(actor=None, statement=statement, kind="individual", name="Ivy", email="IVY@example.net",
                        consent=True)  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        statements.sign(actor=None, statement=statement, kind="individual", name="Jo", email="jo@example.net")
    assert "consent" in caught.value.message_dict


def test_only_staff_verify_signatures(statement, organiser):
    org = statements.sign(actor=None, statement=statement, kind="organisation", name="Una", email="una@example.net",
                          organisation="The Union", consent=True)  # fmt: skip
    with pytest.raises(PermissionDenied):
        statements.verify_signature(actor=organiser, signature=org, approve=True)
    assert Signature.objects.get(pk=org.pk).state == SignatureState.PENDING


def test_the_follow_up_campaign_targets_every_mp_who_has_not_signed(statement, staff):
    westminster = geography.lookup("SW1A 1AA").best.constituency
    mp = statements.sign(actor=None, statement=statement, kind="individual", name=westminster.mp.name,
                         email=westminster.mp.email, consent=True)  # fmt: skip
    statements.verify_signature(actor=staff, signature=mp, approve=True, mp_constituency_code=westminster.code)
    campaign = statements.follow_up_campaign(actor=staff, statement=statement, site_url="https://x.example")
    with_email = [c.code for c in geography.all_constituencies() if c.mp and c.mp.email]
    assert campaign.targets == Targets.LIST and campaign.statement == statement
    assert westminster.code not in campaign.target_codes
    assert len(campaign.target_codes) == len(with_email) - 1
    assert "{personal_paragraph}" in campaign.template and statement.title in campaign.template


def test_the_api_lists_shown_signatures_with_counts(client, statement):
    response = client.post(f"/api/v1/lobbying/statements/{statement.slug}/signatures",
                           {"kind": "individual", "name": "Ivy", "email": "ivy@example.net", "consent": True},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201
    body = client.get(f"/api/v1/lobbying/statements/{statement.slug}").json()
    assert body["individuals"] == 1 and body["signatures"][0]["name"] == "Ivy"
    assert "email" not in body["signatures"][0]


def test_staff_verify_an_organisation_on_the_manage_page_and_start_the_follow_up(client, statement, staff, member):
    org = statements.sign(actor=None, statement=statement, kind="organisation", name="Una", email="una@example.net",
                          organisation="The Union", consent=True)  # fmt: skip
    client.force_login(member)
    assert client.get(f"/lobbying/statements/{statement.slug}/").status_code == 403
    client.force_login(staff)
    page = client.get(f"/lobbying/statements/{statement.slug}/").content.decode()
    assert "The Union" in page and "una@example.net" in page  # staff see the email to check it
    client.post(f"/lobbying/statements/{statement.slug}/", {"action": "verify", "signature": org.pk, "mp_code": ""})
    assert Signature.objects.get(pk=org.pk).state == SignatureState.SHOWN
    response = client.post(f"/lobbying/statements/{statement.slug}/", {"action": "follow_up"})
    assert response.status_code == 302 and "/edit/" in response["Location"]
    assert statement.follow_up_campaigns.get().status == "draft"
