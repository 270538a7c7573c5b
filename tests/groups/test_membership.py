from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.chat.models import Message
from leveller.groups.actions import groups as group_actions
from leveller.groups.models import GroupMembership, Role
from leveller.realtime.models import Event


def in_channel(group, member) -> bool:
    return group.channel.memberships.filter(member=member).exists()


def test_joining_a_group_joins_its_channel_and_leaving_leaves_it(brent, member):
    group_actions.join_group(actor=member, group=brent)
    assert in_channel(brent, member)
    assert Event.objects.filter(stream=f"user-{member.pk}", type="group.member_joined").exists()
    group_actions.join_group(actor=member, group=brent)  # twice is harmless
    assert GroupMembership.objects.filter(group=brent, member=member).count() == 1
    group_actions.leave_group(actor=member, group=brent)
    assert not in_channel(brent, member)
    assert not GroupMembership.objects.filter(group=brent, member=member).exists()


def test_nobody_joins_a_group_that_is_not_approved(member, outsider):
    proposal = group_actions.propose_group(actor=member, name="Willesden", districts="NW10")
    with pytest.raises(ValidationError, match="not open"):
        group_actions.join_group(actor=outsider, group=proposal)


def test_organisers_manage_membership_and_members_cannot(brent, organiser, member, outsider):
    group_actions.join_group(actor=member, group=brent)
    with pytest.raises(PermissionDenied):
        group_actions.add_group_member(actor=member, group=brent, member=outsider)
    with pytest.raises(PermissionDenied):
        group_actions.remove_group_member(actor=outsider, group=brent, member=member)
    with pytest.raises(PermissionDenied):
        group_actions.set_group_role(actor=member, group=brent, member=member, role=Role.ORGANISER)
    group_actions.add_group_member(actor=organiser, group=brent, member=outsider)
    assert in_channel(brent, outsider)
    group_actions.set_group_role(actor=organiser, group=brent, member=member, role=Role.ORGANISER)
    assert group_actions.is_group_organiser(member, brent)
    group_actions.remove_group_member(actor=member, group=brent, member=outsider)
    assert not in_channel(brent, outsider)


def test_a_group_keeps_at_least_one_organiser(brent, organiser, member):
    group_actions.join_group(actor=member, group=brent)
    with pytest.raises(ValidationError, match="only organiser"):
        group_actions.leave_group(actor=organiser, group=brent)
    with pytest.raises(ValidationError, match="at least one organiser"):
        group_actions.set_group_role(actor=organiser, group=brent, member=organiser, role=Role.MEMBER)
    group_actions.set_group_role(actor=organiser, group=brent, member=member, role=Role.ORGANISER)
    group_actions.leave_group(actor=organiser, group=brent)
    assert not GroupMembership.objects.filter(group=brent, member=organiser).exists()


def test_outsiders_and_members_see_no_member_list_or_activity(api_client, brent, member, outsider, organiser, client):
    group_actions.join_group(actor=member, group=brent)
    for person in (member, outsider):
        assert api_client(person).get(f"/api/v1/groups/{brent.pk}/members").status_code == 403
        assert api_client(person).get(f"/api/v1/groups/{brent.pk}/activity").status_code == 403
        response = api_client(person).post(f"/api/v1/groups/{brent.pk}/members", {"member_id": person.pk})
        assert response.status_code == 403
    assert api_client().get(f"/api/v1/groups/{brent.pk}/members").status_code == 401
    members = api_client(organiser).get(f"/api/v1/groups/{brent.pk}/members").json()["members"]
    assert {m["display_name"] for m in members} == {"Olu Organiser", "Mo Member"}
    client.force_login(outsider)
    assert client.get(f"/groups/{brent.slug}/manage/").status_code == 403
    assert client.get(f"/groups/{brent.slug}/manage/members/list/").status_code == 403
    page = client.get(f"/groups/{brent.slug}/").content.decode()
    assert "Mo Member" not in page and "Olu Organiser" in page  # organisers are named; members are not
    client.logout()
    page = client.get(f"/groups/{brent.slug}/").content.decode()
    assert "Olu Organiser" not in page and "Mo Member" not in page and "Log in to join" in page
    assert client.get(f"/groups/{brent.slug}/manage/").status_code == 302


def test_only_organisers_and_staff_may_watch_a_groups_membership_stream(brent, organiser, member, staff):
    from leveller.realtime.registry import may_subscribe

    assert may_subscribe(organiser, f"group-{brent.pk}") and may_subscribe(staff, f"group-{brent.pk}")
    assert not may_subscribe(member, f"group-{brent.pk}")


def test_the_join_and_leave_api(api_client, brent, member):
    client = api_client(member)
    assert client.post(f"/api/v1/groups/{brent.pk}/membership").json() == {"group": brent.pk, "role": "member"}
    assert in_channel(brent, member)
    assert client.get(f"/api/v1/groups/{brent.pk}").json()["my_role"] == "member"
    assert client.delete(f"/api/v1/groups/{brent.pk}/membership").status_code == 200
    assert not in_channel(brent, member)


def test_organisers_message_their_group_by_channel_and_email_within_a_limit(
    brent, organiser, member, outsider, run_on_commit, settings
):
    settings.GROUP_EMAILS_PER_DAY = 1
    group_actions.join_group(actor=member, group=brent)
    with pytest.raises(PermissionDenied):
        group_actions.message_group(actor=member, group=brent, text="Hello")
    with run_on_commit():
        group_actions.message_group(
            actor=organiser, group=brent, subject="Meeting moved", text="Now at the library.", by_email=True
        )
    post = Message.objects.get(channel=brent.channel)
    assert "Now at the library." in post.text and post.author == organiser
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.org", "organiser@example.org"]
    assert mail.outbox[0].subject == "[Brent] Meeting moved"
    with pytest.raises(ValidationError, match="already been emailed"):
        group_actions.message_group(actor=organiser, group=brent, subject="Again", text="Sorry", by_email=True)
    with pytest.raises(ValidationError, match="email needs a subject"):
        group_actions.message_group(actor=organiser, group=brent, text="x", to_channel=False, by_email=True)


def test_organisers_see_their_groups_activity(api_client, brent, organiser, member):
    group_actions.join_group(actor=member, group=brent)
    data = api_client(organiser).get(f"/api/v1/groups/{brent.pk}/activity").json()
    assert data["member_count"] == 2 and data["new_joiners"] == 2 and data["organiser_count"] == 1
    assert data["events_held"] == 0  # the events and phonebank apps are installed; nothing has happened yet
    assert data["calls_made"] == 0


def test_the_organiser_page_adds_members_by_email_and_explains_mistakes(client, brent, organiser, outsider):
    client.force_login(organiser)
    page = client.get(f"/groups/{brent.slug}/manage/")
    assert page.status_code == 200 and "Olu Organiser" in page.content.decode()
    response = client.post(f"/groups/{brent.slug}/manage/members/", {"email": "nobody@example.org", "role": "member"})
    assert response.status_code == 400 and "No active member has that email" in response.content.decode()
    response = client.post(f"/groups/{brent.slug}/manage/members/", {"email": outsider.email, "role": "member"})
    assert response.status_code == 302 and in_channel(brent, outsider)


def test_activity_counts_the_events_a_group_has_held(brent, organiser):
    import datetime as dt

    from django.utils import timezone

    from leveller.events.models import Event
    from leveller.groups.activity import activity_for

    past = timezone.now() - dt.timedelta(days=3)
    for status in ("published", "cancelled"):
        Event.objects.create(
            title=f"Meeting ({status})",
            group=brent,
            status=status,
            starts_at=past,
            ends_at=past + dt.timedelta(hours=1),
        )
    future = timezone.now() + dt.timedelta(days=3)
    Event.objects.create(
        title="Next", group=brent, status="published", starts_at=future, ends_at=future + dt.timedelta(hours=1)
    )
    assert activity_for(brent).events_held == 1
