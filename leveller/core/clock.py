"""The one clock: every "now" that tests may want to move reads `clock.now()` (callers do
`from leveller.core import clock`), so a test sets the time with
`monkeypatch.setattr("leveller.core.clock.now", lambda: instant)` instead of sleeping. Actions that take an
optional `now=` fall back to it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()
