"""Push notifications' part of members' data rights."""

from __future__ import annotations

from leveller.privacy.registry import declare, exporter
from leveller.push.models import PushMessage, PushPreference, PushSubscription

declare(
    PushSubscription,
    what="Each device a member turned notifications on for: the push service address, its keys and a label",
    why="Sending notifications to the member's devices",
    basis="Consent (the member turns each device on)",
    kept="Until the member turns the device off or the push service says it is gone; deleted on erasure",
    who="The member",
)
declare(
    PushPreference,
    what="Which kinds of notification a member wants, and their quiet hours",
    why="Sending only the notifications the member chose",
    basis="Consent",
    kept="As long as the membership",
    who="The member",
)
declare(
    PushMessage,
    what="Notifications waiting or sent: kind, conversation, title and a short preview",
    why="Collapsing notifications per conversation, holding them through quiet hours, withdrawing read ones",
    basis="Consent",
    kept="Until sent or withdrawn, then deleted",
    who="The member",
)


@exporter("push_devices", title="Devices you get notifications on", order=90)
def export_push_devices(member):
    rows = PushSubscription.objects.filter(member=member).values("label", "kinds", "created_at", "last_success_at")
    yield from rows.order_by("id").iterator()
