"""The organiser's manage page and the staff approvals queue, as the people who use them see them:
an organiser runs their group, staff decide proposals, members and outsiders see none of it."""

from __future__ import annotations

import html

import pytest

from leveller.chat.models import Message
from leveller.groups.actions import groups as group_actions
from leveller.groups.models import Group, GroupMembership, GroupMessage, GroupStatus, Role


def text(response) -> str:
    return html.unescape(response.content.decode())


def role_of(group, member) -> str | None:
    membership = GroupMembership.objects.filter(group=group, member=member).first()
    return membership.role if membership else None


def manage_url(group, tail: str = "") -> str:
    return f"/groups/{group.slug}/manage/{tail}"


# --- who may see the organiser's pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    "tail, method",
    [
        ("", "get"),
        ("members/list/", "get"),
        ("members/", "post"),
        ("message/", "post"),
        ("edit/", "post"),
    ],
)
def test_members_and_outsiders_get_403_on_every_organiser_page_and_change_nothing(
    client, brent, member, outsider, tail, method
):
    group_actions.join_group(actor=member, group=brent)
    before = (brent.description, GroupMessage.objects.count(), GroupMembership.objects.count())
    for who in (member, outsider):
        client.force_login(who)
        response = getattr(client, method)(
            manage_url(brent, tail), {"email": outsider.email, "role": "organiser", "text": "Hi", "description": "X"}
        )
        assert response.status_code == 403
        assert "Olu Organiser" not in text(response) and "Members of Brent" not in text(response)
    brent.refresh_from_db()
    assert (brent.description, GroupMessage.objects.count(), GroupMembership.objects.count()) == before


def test_anonymous_visitors_are_sent_to_log_in(client, brent):
    response = client.get(manage_url(brent))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_member_cannot_remove_or_promote_anyone(client, brent, organiser, member, outsider):
    group_actions.join_group(actor=member, group=brent)
    group_actions.join_group(actor=outsider, group=brent)
    client.force_login(member)
    assert client.post(manage_url(brent, f"members/{outsider.pk}/remove/")).status_code == 403
    assert client.post(manage_url(brent, f"members/{member.pk}/role/"), {"role": "organiser"}).status_code == 403
    assert role_of(brent, outsider) == Role.MEMBER and role_of(brent, member) == Role.MEMBER


def test_nobody_but_staff_and_the_proposer_finds_a_proposed_groups_manage_page(client, member, outsider):
    group = group_actions.propose_group(actor=member, name="Kilburn", districts="NW6")
    client.force_login(outsider)
    assert client.get(manage_url(group)).status_code == 404


def test_managing_a_group_that_does_not_exist_is_a_404(client, organiser):
    client.force_login(organiser)
    assert client.get("/groups/no-such-group/manage/").status_code == 404


def test_the_organiser_page_shows_activity_members_and_recent_messages(client, brent, organiser, member):
    group_actions.join_group(actor=member, group=brent)
    group_actions.message_group(actor=organiser, group=brent, text="See you on Tuesday at the library")
    client.force_login(organiser)
    page = text(client.get(manage_url(brent)))
    assert "Manage Brent" in page and "Mo Member" in page and "Olu Organiser" in page
    assert "See you on Tuesday" in page
    assert "Postcode districts covered" not in page  # districts are for staff only
    assert 'value="HA0 HA9 NW10"' not in page


def test_staff_see_and_may_edit_the_districts(client, brent, staff):
    client.force_login(staff)
    page = text(client.get(manage_url(brent)))
    assert "Postcode districts covered" in page and 'value="HA0 HA9 NW10"' in page


# --- the live members table -----------------------------------------------------------------------------


def test_the_members_fragment_lists_active_members_organisers_first(client, brent, organiser, member, outsider):
    group_actions.join_group(actor=member, group=brent)
    group_actions.join_group(actor=outsider, group=brent)
    type(outsider).objects.filter(pk=outsider.pk).update(is_active=False)  # an account closed since
    client.force_login(organiser)
    response = client.get(manage_url(brent, "members/list/"))
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page  # a fragment, for htmx to swap in
    assert page.index("Olu Organiser") < page.index("Mo Member")
    assert "Oz Outsider" not in page
    assert "Make member" in page and "Make organiser" in page


# --- adding, removing and promoting members -------------------------------------------------------------


def test_an_organiser_adds_a_member_and_sees_it_said(client, brent, organiser, outsider):
    client.force_login(organiser)
    response = client.post(
        manage_url(brent, "members/"), {"email": outsider.email.upper(), "role": "member"}, follow=True
    )
    assert response.status_code == 200
    assert "Oz Outsider is now in Brent." in text(response)
    assert role_of(brent, outsider) == Role.MEMBER


def test_a_bad_email_or_role_is_explained_and_the_typing_kept(client, brent, organiser, outsider):
    client.force_login(organiser)
    response = client.post(manage_url(brent, "members/"), {"email": "not an email", "role": "member"})
    assert response.status_code == 400
    page = text(response)
    assert "Enter a valid email address." in page and 'value="not an email"' in page
    response = client.post(manage_url(brent, "members/"), {"email": outsider.email, "role": "boss"})
    assert response.status_code == 400 and "Select a valid choice" in text(response)
    assert role_of(brent, outsider) is None


def test_a_deactivated_account_cannot_be_added(client, brent, organiser, outsider):
    type(outsider).objects.filter(pk=outsider.pk).update(is_active=False)
    client.force_login(organiser)
    response = client.post(manage_url(brent, "members/"), {"email": outsider.email, "role": "member"})
    assert response.status_code == 400 and "No active member has that email address." in text(response)
    assert role_of(brent, outsider) is None


def test_an_organiser_removes_a_member_and_they_leave_the_channel(client, brent, organiser, member):
    group_actions.join_group(actor=member, group=brent)
    client.force_login(organiser)
    response = client.post(manage_url(brent, f"members/{member.pk}/remove/"), follow=True)
    assert "Mo Member was removed from Brent." in text(response)
    assert role_of(brent, member) is None
    assert not brent.channel.memberships.filter(member=member).exists()


def test_the_last_organiser_cannot_remove_themselves_and_is_told_why(client, brent, organiser, member):
    group_actions.join_group(actor=member, group=brent)
    client.force_login(organiser)
    response = client.post(manage_url(brent, f"members/{organiser.pk}/remove/"), follow=True)
    assert "A group needs at least one organiser" in text(response)
    assert role_of(brent, organiser) == Role.ORGANISER


def test_removing_someone_who_does_not_exist_is_a_404(client, brent, organiser):
    client.force_login(organiser)
    assert client.post(manage_url(brent, "members/999999/remove/")).status_code == 404
    assert client.post(manage_url(brent, "members/999999/role/"), {"role": "member"}).status_code == 404


def test_the_remove_and_role_buttons_only_take_posts(client, brent, organiser, member):
    group_actions.join_group(actor=member, group=brent)
    client.force_login(organiser)
    assert client.get(manage_url(brent, f"members/{member.pk}/remove/")).status_code == 405
    assert client.get(manage_url(brent, f"members/{member.pk}/role/")).status_code == 405
    assert role_of(brent, member) == Role.MEMBER


def test_an_organiser_promotes_a_member_then_steps_down(client, brent, organiser, member):
    group_actions.join_group(actor=member, group=brent)
    client.force_login(organiser)
    response = client.post(manage_url(brent, f"members/{member.pk}/role/"), {"role": "organiser"}, follow=True)
    assert "Mo Member's role is saved." in text(response)
    assert role_of(brent, member) == Role.ORGANISER
    response = client.post(manage_url(brent, f"members/{organiser.pk}/role/"), {"role": "member"}, follow=True)
    assert "Olu Organiser's role is saved." in text(response)
    assert role_of(brent, organiser) == Role.MEMBER


def test_a_bad_role_change_is_refused_with_a_reason(client, brent, organiser, member, outsider):
    group_actions.join_group(actor=member, group=brent)
    client.force_login(organiser)
    response = client.post(manage_url(brent, f"members/{member.pk}/role/"), {"role": "king"}, follow=True)
    assert "Choose organiser or member." in text(response)
    response = client.post(manage_url(brent, f"members/{outsider.pk}/role/"), {"role": "organiser"}, follow=True)
    assert "That person is not a member of this group." in text(response)
    response = client.post(manage_url(brent, f"members/{organiser.pk}/role/"), {"role": "member"}, follow=True)
    assert "A group needs at least one organiser" in text(response)
    assert role_of(brent, member) == Role.MEMBER and role_of(brent, outsider) is None
    assert role_of(brent, organiser) == Role.ORGANISER


# --- messaging the group --------------------------------------------------------------------------------


def test_an_organiser_posts_in_the_channel_from_the_page(client, brent, organiser):
    client.force_login(organiser)
    response = client.post(
        manage_url(brent, "message/"), {"subject": "Tuesday", "text": "Meeting at 7pm", "to_channel": "on"}, follow=True
    )
    assert "Your message was posted in the channel." in text(response)
    post = Message.objects.get(channel=brent.channel)
    assert "**Tuesday**" in post.text and "Meeting at 7pm" in post.text and post.author == organiser


def test_an_organiser_posts_and_emails_in_one_go(client, brent, organiser, member, run_on_commit):
    group_actions.join_group(actor=member, group=brent)
    client.force_login(organiser)
    response = client.post(
        manage_url(brent, "message/"),
        {"subject": "Tuesday", "text": "Meeting at 7pm", "to_channel": "on", "by_email": "on"},
        follow=True,
    )
    assert "Your message was posted in the channel and emailed." in text(response)
    sent = GroupMessage.objects.get(group=brent)
    assert sent.by_email and sent.to_channel and sent.recipients == 2


def test_staff_outside_the_group_post_under_their_own_name(client, brent, staff):
    client.force_login(staff)
    client.post(manage_url(brent, "message/"), {"text": "A word from the office", "to_channel": "on"})
    post = Message.objects.get(channel=brent.channel)
    assert post.text == "A word from the office" and "Stella Staff (staff)" in (post.bot_name or "")


def test_a_message_with_nowhere_to_go_or_no_subject_is_explained_and_kept(client, brent, organiser):
    client.force_login(organiser)
    response = client.post(manage_url(brent, "message/"), {"text": "Kept words"})
    assert response.status_code == 400
    page = text(response)
    assert "Choose where to send it" in page and "Kept words" in page
    response = client.post(manage_url(brent, "message/"), {"text": "Kept words", "by_email": "on"})
    assert response.status_code == 400 and "An email needs a subject." in text(response)
    response = client.post(manage_url(brent, "message/"), {"text": "", "to_channel": "on"})
    assert response.status_code == 400 and "This field is required." in text(response)
    assert not GroupMessage.objects.exists() and not Message.objects.filter(channel=brent.channel).exists()


def test_the_daily_email_limit_is_explained_on_the_page(client, brent, organiser, settings):
    settings.GROUP_EMAILS_PER_DAY = 1
    client.force_login(organiser)
    form = {"subject": "News", "text": "One", "by_email": "on"}
    assert client.post(manage_url(brent, "message/"), form).status_code == 302
    response = client.post(manage_url(brent, "message/"), {**form, "text": "Two"})
    assert response.status_code == 400 and "already been emailed 1 times today" in text(response)
    assert list(GroupMessage.objects.values_list("text", flat=True)) == ["One"]


# --- editing the group's details ------------------------------------------------------------------------


def test_an_organiser_edits_the_description_but_not_the_districts(client, brent, organiser):
    client.force_login(organiser)
    response = client.post(
        manage_url(brent, "edit/"),
        {"description": "Tenants in Brent", "meeting_pattern": "Tuesdays, 7pm", "districts": "E1"},
        follow=True,
    )
    assert "The group's details are saved." in text(response)
    brent.refresh_from_db()
    assert (brent.description, brent.meeting_pattern) == ("Tenants in Brent", "Tuesdays, 7pm")
    assert sorted(brent.districts.values_list("outcode", flat=True)) == ["HA0", "HA9", "NW10"]


def test_staff_change_the_districts(client, brent, staff):
    client.force_login(staff)
    response = client.post(
        manage_url(brent, "edit/"), {"description": "", "meeting_pattern": "", "districts": "NW10 NW6"}
    )
    assert response.status_code == 302
    assert sorted(brent.districts.values_list("outcode", flat=True)) == ["NW10", "NW6"]


def test_unknown_districts_are_explained_and_nothing_saved_is_lost(client, brent, staff):
    client.force_login(staff)
    response = client.post(
        manage_url(brent, "edit/"), {"description": "New words", "meeting_pattern": "", "districts": "NW10 bogus"}
    )
    assert response.status_code == 400
    page = text(response)
    assert "is not a UK postcode" in page and "New words" in page
    brent.refresh_from_db()
    assert brent.description == ""
    assert sorted(brent.districts.values_list("outcode", flat=True)) == ["HA0", "HA9", "NW10"]


def test_an_over_long_description_is_refused_by_the_form(client, brent, organiser):
    client.force_login(organiser)
    response = client.post(manage_url(brent, "edit/"), {"description": "x" * 5001, "meeting_pattern": ""})
    assert response.status_code == 400 and "at most 5000 characters" in text(response)


# --- the staff approvals queue --------------------------------------------------------------------------


def test_only_staff_see_the_approvals_queue_or_decide(client, member, organiser):
    group = group_actions.propose_group(actor=member, name="Kilburn", districts="NW6")
    for who in (member, organiser):
        client.force_login(who)
        assert client.get("/groups/approvals/").status_code == 403
        assert client.post(f"/groups/{group.slug}/decide/", {"decision": "approve"}).status_code == 403
    group.refresh_from_db()
    assert group.status == GroupStatus.PROPOSED


def test_staff_reject_a_proposal_with_a_reason_and_see_it_in_recent_decisions(client, member, staff):
    group = group_actions.propose_group(actor=member, name="Kilburn", districts="NW6", note="Five of us so far")
    client.force_login(staff)
    page = text(client.get("/groups/approvals/"))
    assert "Waiting for a decision (1)" in page and "Five of us so far" in page and "Districts: NW6" in page
    response = client.post(
        f"/groups/{group.slug}/decide/", {"decision": "reject", "note": "Brent covers NW6 already"}, follow=True
    )
    page = text(response)
    assert "Kilburn was rejected." in page
    assert "No proposals are waiting." in page and "Recent decisions" in page and "rejected by Stella Staff" in page
    group.refresh_from_db()
    assert group.status == GroupStatus.REJECTED and group.decision_note == "Brent covers NW6 already"


def test_a_rejection_without_a_reason_is_refused_and_the_proposal_waits(client, member, staff):
    group = group_actions.propose_group(actor=member, name="Kilburn", districts="NW6")
    client.force_login(staff)
    response = client.post(f"/groups/{group.slug}/decide/", {"decision": "reject", "note": ""}, follow=True)
    assert "Kilburn: Say why, so the proposer can try again." in text(response)
    group.refresh_from_db()
    assert group.status == GroupStatus.PROPOSED


def test_deciding_twice_is_refused(client, member, staff):
    group = group_actions.propose_group(actor=member, name="Kilburn", districts="NW6")
    client.force_login(staff)
    client.post(f"/groups/{group.slug}/decide/", {"decision": "approve"})
    response = client.post(f"/groups/{group.slug}/decide/", {"decision": "reject", "note": "Oops"}, follow=True)
    assert "Kilburn: Only proposed groups can be rejected." in text(response)
    assert Group.objects.get(pk=group.pk).status == GroupStatus.APPROVED


def test_deciding_on_a_missing_group_is_a_404_and_the_decision_only_takes_posts(client, staff):
    client.force_login(staff)
    assert client.post("/groups/nowhere/decide/", {"decision": "approve"}).status_code == 404
    assert client.get("/groups/nowhere/decide/").status_code == 405
