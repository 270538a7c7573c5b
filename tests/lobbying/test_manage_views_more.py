"""The organisers' and staff lobbying pages, as their users see them: the campaign's organiser edits, closes,
retries and moderates; staff write statements and verify signatures; other organisers, members and outsiders
get 403 (or 404 for what they may not know exists) and change nothing."""

from __future__ import annotations

import html

import pytest

from leveller.lobbying.actions import campaigns, letters, statements
from leveller.lobbying.models import Campaign, Letter, LetterState, Signature, SignatureState, Statement
from tests.lobbying.conftest import letter_fields, seat
from tests.support.personas import make_member

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def edit_form(campaign, **overrides) -> dict:
    """What the edit form posts back when the organiser changes nothing but `overrides`."""
    fields = {
        "title": campaign.title,
        "ask": campaign.ask,
        "subject": campaign.subject,
        "template": campaign.template,
        "personal_prompt": campaign.personal_prompt,
        "targets": campaign.targets,
        "target_codes": " ".join(campaign.target_codes),
        "own_mp_only": "on",
        "opens_at": "",
        "closes_at": "",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


@pytest.fixture
def other_organiser(db):
    return make_member("Otto Other", "otto@example.org", roles=["organiser"])


@pytest.fixture
def moderated(campaign, organiser):
    return campaigns.update_campaign(actor=organiser, campaign=campaign, moderated=True)


@pytest.fixture
def statement(staff):
    made = statements.create_statement(actor=staff, title="No to the Bill", text="We, the undersigned, oppose it.")
    return statements.set_statement_status(actor=staff, statement=made, status="open")


def _sign_as_organisation(statement):
    return statements.sign(actor=None, statement=statement, kind="organisation", name="Una", email="una@example.net",
                           organisation="The Union", consent=True)  # fmt: skip


# --- who may manage a campaign ---------------------------------------------------------------------------


def test_other_organisers_members_and_outsiders_cannot_edit_close_or_moderate(
    client, campaign, other_organiser, member, outsider
):
    slug = campaign.slug
    for who in (other_organiser, member, outsider):
        client.force_login(who)
        assert client.get(f"/lobbying/campaigns/{slug}/edit/").status_code == 403
        assert (
            client.post(f"/lobbying/campaigns/{slug}/edit/", edit_form(campaign, title="Hijacked")).status_code == 403
        )
        assert client.post(f"/lobbying/campaigns/{slug}/status/", {"action": "archived"}).status_code == 403
        assert client.get(f"/lobbying/campaigns/{slug}/moderation/").status_code == 403
    campaign.refresh_from_db()
    assert campaign.title == "Vote against the Renters Bill" and campaign.status == "published"


def test_a_draft_campaign_is_a_404_to_anyone_who_may_not_manage_it(client, campaign, organiser, other_organiser):
    campaigns.set_status(actor=organiser, campaign=campaign, status="draft")
    client.force_login(other_organiser)
    assert client.get(f"/lobbying/campaigns/{campaign.slug}/edit/").status_code == 404
    assert client.get(f"/lobbying/campaigns/{campaign.slug}/moderation/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, campaign):
    response = client.get(f"/lobbying/campaigns/{campaign.slug}/edit/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_members_cannot_start_a_campaign(client, member):
    client.force_login(member)
    assert client.get("/lobbying/campaigns/new/").status_code == 403
    assert client.post("/lobbying/campaigns/new/", {"title": "Mine"}).status_code == 403
    assert not Campaign.objects.exists()


def test_the_new_campaign_form_starts_with_a_letter_template_and_explains_mistakes(client, organiser):
    client.force_login(organiser)
    page = text(client.get("/lobbying/campaigns/new/"))
    assert "New letter campaign" in page and "I am writing to you as your constituent in {constituency}." in page
    response = client.post(
        "/lobbying/campaigns/new/",
        {
            "title": "Library",
            "ask": "Act",
            "subject": "Hi {mp_name}",
            "template": "Dear {mp_nmae}",
            "targets": "own_mp",
        },
    )
    assert response.status_code == 200 and "{mp_nmae}" in text(response) and 'value="Library"' in text(response)
    assert not Campaign.objects.exists()


# --- editing a campaign ----------------------------------------------------------------------------------


def test_the_organiser_finds_the_campaign_filled_in_on_the_edit_page(client, campaign, organiser):
    client.force_login(organiser)
    response = client.get(f"/lobbying/campaigns/{campaign.slug}/edit/")
    assert response.status_code == 200
    page = text(response)
    assert "Edit “Vote against the Renters Bill”" in page and "I ask you to vote against the Bill." in page


def test_the_organiser_edits_a_campaign_and_is_told_it_is_saved(client, campaign, organiser):
    client.force_login(organiser)
    response = client.post(
        f"/lobbying/campaigns/{campaign.slug}/edit/",
        edit_form(campaign, title="Vote against the Renters Bill now", personal_prompt="Tell them about your rent"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/lobbying/campaigns/{campaign.slug}/"
    assert "Campaign saved." in text(response)
    campaign.refresh_from_db()
    assert (
        campaign.title == "Vote against the Renters Bill now"
        and campaign.personal_prompt == "Tell them about your rent"
    )


def test_staff_may_edit_any_campaign(client, campaign, staff):
    client.force_login(staff)
    response = client.post(f"/lobbying/campaigns/{campaign.slug}/edit/", edit_form(campaign, subject="To {mp_name}"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.subject == "To {mp_name}"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"template": "Dear {mp_nmae}"}, "{mp_nmae}"),
        ({"targets": "list", "target_codes": "E99999999"}, "E99999999 is not a constituency code"),
        ({"targets": "list", "target_codes": ""}, "List at least one constituency."),
        ({"opens_at": "2030-01-02T10:00", "closes_at": "2030-01-01T10:00"}, "The campaign must close after it opens."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_a_bad_edit_is_explained_and_nothing_saved_or_typed_is_lost(client, campaign, organiser, overrides, message):
    client.force_login(organiser)
    before = Campaign.objects.values().get(pk=campaign.pk)
    response = client.post(
        f"/lobbying/campaigns/{campaign.slug}/edit/", edit_form(campaign, ask="A new ask I typed", **overrides)
    )
    assert response.status_code == 200
    page = text(response)
    assert message in page and "A new ask I typed" in page
    assert Campaign.objects.values().get(pk=campaign.pk) == before


# --- publishing, closing and retrying --------------------------------------------------------------------


def test_the_organiser_closes_a_campaign_now_and_it_takes_no_more_letters(client, campaign, organiser, writer):
    client.force_login(organiser)
    response = client.post(f"/lobbying/campaigns/{campaign.slug}/status/", {"action": "close"}, follow=True)
    assert response.status_code == 200 and "Close now" not in text(response)
    campaign.refresh_from_db()
    assert campaign.closes_at is not None and not campaign.is_open()
    with pytest.raises(Exception, match="not open"):
        letters.write_letter(actor=writer, campaign=campaign, **letter_fields())


def test_the_organiser_archives_a_campaign(client, campaign, organiser):
    client.force_login(organiser)
    client.post(f"/lobbying/campaigns/{campaign.slug}/status/", {"action": "archived"})
    campaign.refresh_from_db()
    assert campaign.status == "archived"


def test_an_unknown_status_is_explained_and_nothing_changes(client, campaign, organiser):
    client.force_login(organiser)
    response = client.post(f"/lobbying/campaigns/{campaign.slug}/status/", {"action": "explode"}, follow=True)
    assert "Unknown status 'explode': use draft, published or archived." in text(response)
    campaign.refresh_from_db()
    assert campaign.status == "published"


def test_the_status_button_only_takes_posts(client, campaign, organiser):
    client.force_login(organiser)
    assert client.get(f"/lobbying/campaigns/{campaign.slug}/status/").status_code == 405


def test_the_organiser_retries_failed_letters_from_the_results_page(
    client, smtp, campaign, organiser, writer, run_on_commit
):
    mp = seat().mp
    smtp.refuse[mp.email] = "451 4.3.0 Try again later"
    with run_on_commit():
        letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    client.force_login(organiser)
    assert "Retry 1 failed" in text(client.get(f"/lobbying/campaigns/{campaign.slug}/"))
    del smtp.refuse[mp.email]
    with run_on_commit():
        response = client.post(f"/lobbying/campaigns/{campaign.slug}/status/", {"action": "retry"}, follow=True)
    assert "1 letters queued again." in text(response)
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and len(smtp.to(mp.email)) == 1


# --- moderation ------------------------------------------------------------------------------------------


def test_the_organiser_reads_letters_waiting_for_approval(client, smtp, moderated, organiser, writer):
    letter = letters.write_letter(actor=writer, campaign=moderated, **letter_fields())
    client.force_login(organiser)
    page = text(client.get(f"/lobbying/campaigns/{moderated.slug}/moderation/"))
    assert f"To {letter.mp_name} ({letter.constituency_name}) from Wren Writer" in page
    assert "My rent went up by a third" in page
    assert "Moderate (1 waiting)" in text(client.get(f"/lobbying/campaigns/{moderated.slug}/"))


def test_an_empty_moderation_queue_says_so(client, moderated, organiser):
    client.force_login(organiser)
    assert "No letters are waiting." in text(client.get(f"/lobbying/campaigns/{moderated.slug}/moderation/"))


def test_the_organiser_approves_a_letter_and_it_is_sent(client, smtp, moderated, organiser, writer, run_on_commit):
    letter = letters.write_letter(actor=writer, campaign=moderated, **letter_fields())
    client.force_login(organiser)
    with run_on_commit():
        response = client.post(
            f"/lobbying/campaigns/{moderated.slug}/moderation/", {"letter": letter.pk, "decision": "approve"}
        )
    assert response.status_code == 302 and response["Location"].endswith("/moderation/")
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.moderated_by == organiser
    assert smtp.to(seat().mp.email)


def test_the_organiser_turns_a_letter_down_and_the_writer_gets_the_note(
    client, smtp, moderated, organiser, writer, run_on_commit
):
    letter = letters.write_letter(actor=writer, campaign=moderated, **letter_fields())
    client.force_login(organiser)
    with run_on_commit():
        client.post(
            f"/lobbying/campaigns/{moderated.slug}/moderation/",
            {"letter": letter.pk, "decision": "reject", "note": "Please  keep it polite"},
        )
    letter.refresh_from_db()
    assert letter.state == LetterState.REJECTED and letter.moderation_note == "Please keep it polite"
    assert not smtp.to(seat().mp.email)
    [told] = smtp.to("wren@example.org")
    assert "Please keep it polite" in told.get_content()


def test_deciding_a_letter_twice_is_explained(client, smtp, moderated, organiser, writer):
    letter = letters.write_letter(actor=writer, campaign=moderated, **letter_fields())
    client.force_login(organiser)
    url = f"/lobbying/campaigns/{moderated.slug}/moderation/"
    client.post(url, {"letter": letter.pk, "decision": "reject"})
    response = client.post(url, {"letter": letter.pk, "decision": "approve"}, follow=True)
    assert "This letter is not waiting for moderation." in text(response)
    letter.refresh_from_db()
    assert letter.state == LetterState.REJECTED


def test_a_letter_from_another_campaign_or_none_at_all_is_a_404(client, smtp, moderated, organiser, writer, staff):
    other = campaigns.create_campaign(actor=staff, title="Other", ask="x", subject="Hi", template="Dear {mp_name}")
    campaigns.set_status(actor=staff, campaign=other, status="published")
    campaigns.update_campaign(actor=staff, campaign=other, moderated=True)
    theirs = letters.write_letter(actor=writer, campaign=other, **letter_fields())
    client.force_login(organiser)
    url = f"/lobbying/campaigns/{moderated.slug}/moderation/"
    assert client.post(url, {"letter": theirs.pk, "decision": "approve"}).status_code == 404
    assert client.post(url, {"decision": "approve"}).status_code == 404
    assert client.post(url, {"letter": "not-a-number", "decision": "approve"}).status_code == 404
    assert Letter.objects.get(pk=theirs.pk).state == LetterState.MODERATION


def test_other_organisers_cannot_moderate(client, smtp, moderated, other_organiser, writer):
    letter = letters.write_letter(actor=writer, campaign=moderated, **letter_fields())
    client.force_login(other_organiser)
    url = f"/lobbying/campaigns/{moderated.slug}/moderation/"
    response = client.post(url, {"letter": letter.pk, "decision": "approve"})
    assert response.status_code == 403 and "My rent went up" not in text(response)
    assert Letter.objects.get(pk=letter.pk).state == LetterState.MODERATION


# --- statements ------------------------------------------------------------------------------------------


def test_only_staff_write_statements(client, organiser, member):
    for who in (organiser, member):
        client.force_login(who)
        assert client.get("/lobbying/statements/new/").status_code == 403
        assert client.post("/lobbying/statements/new/", {"title": "Mine", "text": "Words"}).status_code == 403
    assert not Statement.objects.exists()


def test_staff_write_a_statement_as_a_draft_and_land_on_its_manage_page(client, staff, member):
    client.force_login(staff)
    assert client.get("/lobbying/statements/new/").status_code == 200
    response = client.post("/lobbying/statements/new/", {"title": "Homes for all", "text": "We call for homes."})
    statement = Statement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lobbying/statements/{statement.slug}/"
    assert statement.status == "draft" and statement.created_by == staff
    page = text(client.get(response["Location"]))
    assert "Homes for all" in page and "None waiting." in page and "Open for signatures" in page
    client.force_login(member)
    assert client.get(f"/lobbying/statements/{statement.slug}/").status_code == 404  # a draft: not even its name
    assert client.get(f"/statements/{statement.slug}/").status_code == 404


def test_a_statement_without_words_is_explained_and_the_title_kept(client, staff):
    client.force_login(staff)
    response = client.post("/lobbying/statements/new/", {"title": "Homes for all", "text": "  "})
    assert response.status_code == 200
    page = text(response)
    assert "This field is required." in page and 'value="Homes for all"' in page
    assert not Statement.objects.exists()


def test_staff_close_and_reopen_a_statement(client, statement, staff):
    client.force_login(staff)
    client.post(f"/lobbying/statements/{statement.slug}/", {"action": "closed"})
    statement.refresh_from_db()
    assert statement.status == "closed"
    with pytest.raises(Exception, match="not open"):
        _sign_as_organisation(statement)
    client.post(f"/lobbying/statements/{statement.slug}/", {"action": "open"})
    statement.refresh_from_db()
    assert statement.status == "open"


def test_an_organiser_who_is_not_staff_cannot_manage_a_statement(client, statement, organiser):
    signature = _sign_as_organisation(statement)
    client.force_login(organiser)
    response = client.post(f"/lobbying/statements/{statement.slug}/", {"action": "verify", "signature": signature.pk})
    assert response.status_code == 403 and "una@example.net" not in text(response)
    assert client.post(f"/lobbying/statements/{statement.slug}/", {"action": "closed"}).status_code == 403
    statement.refresh_from_db()
    assert statement.status == "open" and Signature.objects.get(pk=signature.pk).state == SignatureState.PENDING


def test_staff_reject_a_signature_and_it_is_counted_not_shown(client, statement, staff):
    signature = _sign_as_organisation(statement)
    client.force_login(staff)
    client.post(f"/lobbying/statements/{statement.slug}/", {"action": "reject", "signature": signature.pk})
    assert Signature.objects.get(pk=signature.pk).state == SignatureState.REJECTED
    page = text(client.get(f"/lobbying/statements/{statement.slug}/"))
    assert "0 shown, 0 waiting, 1 rejected" in page
    assert "The Union" not in text(client.get(f"/statements/{statement.slug}/"))


def test_a_wrong_mp_code_is_explained_and_the_signature_still_waits(client, statement, staff):
    signature = _sign_as_organisation(statement)
    client.force_login(staff)
    response = client.post(
        f"/lobbying/statements/{statement.slug}/",
        {"action": "verify", "signature": signature.pk, "mp_code": "e99"},
        follow=True,
    )
    assert "E99 is not a constituency code." in text(response)
    assert Signature.objects.get(pk=signature.pk).state == SignatureState.PENDING


def test_verifying_a_signature_of_another_statement_or_none_is_a_404(client, statement, staff):
    other = statements.create_statement(actor=staff, title="Other", text="Other words")
    statements.set_statement_status(actor=staff, statement=other, status="open")
    theirs = _sign_as_organisation(other)
    client.force_login(staff)
    url = f"/lobbying/statements/{statement.slug}/"
    assert client.post(url, {"action": "verify", "signature": theirs.pk}).status_code == 404
    assert client.post(url, {"action": "verify", "signature": "x"}).status_code == 404
    assert Signature.objects.get(pk=theirs.pk).state == SignatureState.PENDING
