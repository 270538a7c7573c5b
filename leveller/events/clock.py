"""The events app's clock: one place to read "now", so tests can pass their own instant instead."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()
