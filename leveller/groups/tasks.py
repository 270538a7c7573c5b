"""Background work for groups: fanning an organiser's email out to every member."""

from __future__ import annotations

from django_tasks import task


@task()
def email_group_message(*, message_id: int) -> int:
    from django.conf import settings
    from django.urls import reverse

    from leveller.accounts.models import Member
    from leveller.core.mail import send_templated
    from leveller.groups.models import GroupMembership, GroupMessage
    from leveller.privacy import consent
    from leveller.privacy.purposes import Purpose

    message = GroupMessage.objects.select_related("group", "sender").filter(pk=message_id).first()
    if message is None:
        return 0
    group = message.group
    link = settings.SITE_URL + reverse("groups:detail", args=[group.slug])
    sent = 0
    allowed = consent.permitted(Purpose.GROUP_MESSAGES, Member.objects.all()).values("pk")
    members = GroupMembership.objects.filter(group=group, member__in=allowed).select_related("member")
    for membership in members.iterator():
        send_templated(
            to=membership.member.email,
            template="groups/email/group_message",
            context={"message": message, "group": group, "member": membership.member, "link": link},
        )
        sent += 1
    return sent
