"""The phonebank's clock. Actions take an optional `now`; tests inject one instead of sleeping."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()
