"""Dropping old events, remembering how far, so that a resume from before that point is told to resync."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from leveller.realtime.consumer import retention
from leveller.realtime.models import Event, Horizon


@transaction.atomic
def prune(*, now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - retention()
    old = Event.objects.filter(created_at__lt=cutoff)
    through = old.aggregate(high=Max("id"))["high"]
    if through is None:
        return 0
    horizon, _ = Horizon.objects.select_for_update().get_or_create(pk=1)
    horizon.pruned_through = max(horizon.pruned_through, through)
    horizon.save()
    deleted, _ = Event.objects.filter(id__lte=through).delete()
    return deleted
