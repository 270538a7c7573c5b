"""/api/v1/push: the server's VAPID key, this device's subscription, preferences, and the unread count."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from leveller.push import delivery, keys
from leveller.push.actions import notifications as push_actions
from leveller.push.models import ALL_KINDS, PushSubscription

PREFIX = "/push"
router = Router()


class KeyOut(Schema):
    public_key: str


class SubscriptionKeys(Schema):
    p256dh: str
    auth: str


class PushSubscriptionIn(Schema):
    """The body is the browser's PushSubscription.toJSON(), optionally with a device label."""

    endpoint: str
    expirationTime: float | None = None
    keys: SubscriptionKeys | None = None
    label: str = ""


class SubscriptionOut(Schema):
    id: int
    label: str
    kinds: list[str]
    created: bool


class PreferencesIO(Schema):
    kinds: list[str]
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None


class DeviceKindsIn(Schema):
    kinds: list[str]


@router.get("/key", response=KeyOut, auth=None, summary="The VAPID public key (applicationServerKey), base64url")
def public_key(request):
    return {"public_key": keys.public_key()}


@router.post("/subscriptions", response={201: SubscriptionOut, 200: SubscriptionOut}, summary="Subscribe this device")
def subscribe(request, body: PushSubscriptionIn):
    if body.keys is None:
        raise HttpError(400, "The subscription has no keys: send PushSubscription.toJSON().")
    row, created = push_actions.subscribe(
        actor=request.user, endpoint=body.endpoint, p256dh=body.keys.p256dh, auth=body.keys.auth, label=body.label
    )
    return Status(201 if created else 200, {"id": row.pk, "label": row.label, "kinds": row.kinds, "created": created})


@router.delete("/subscriptions", response={204: None}, summary="Unsubscribe this device")
def unsubscribe(request, body: PushSubscriptionIn):
    push_actions.unsubscribe(actor=request.user, endpoint=body.endpoint)
    return Status(204, None)


@router.patch("/subscriptions/{subscription_id}", response=SubscriptionOut, summary="Choose what this device gets")
def device_kinds(request, subscription_id: int, body: DeviceKindsIn):
    row = get_object_or_404(PushSubscription, pk=subscription_id, member=request.user)
    row = push_actions.set_device_kinds(actor=request.user, subscription=row, kinds=body.kinds)
    return {"id": row.pk, "label": row.label, "kinds": row.kinds, "created": False}


@router.get("/preferences", response=PreferencesIO)
def get_preferences(request):
    preference = push_actions.preference_for(request.user)
    return {"kinds": preference.kinds, "quiet_start": preference.quiet_start, "quiet_end": preference.quiet_end}


@router.put("/preferences", response=PreferencesIO, summary=f"Kinds to push: any of {', '.join(ALL_KINDS)}")
def set_preferences(request, body: PreferencesIO):
    preference = push_actions.set_preferences(
        actor=request.user, kinds=body.kinds, quiet_start=body.quiet_start, quiet_end=body.quiet_end
    )
    return {"kinds": preference.kinds, "quiet_start": preference.quiet_start, "quiet_end": preference.quiet_end}


class UnreadOut(Schema):
    unread: int


@router.get(
    "/unread", response=UnreadOut, summary="Unread mentions, DMs and thread replies (the tab title and app badge)"
)
def unread(request):
    return {"unread": delivery.unread_count(request.user.pk)}
