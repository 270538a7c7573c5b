"""Live-progress hints on `campaign-<id>`, throttled: at most one per interval per campaign, plus a trailing one.

The dashboard refetches its numbers when a hint arrives, so a hint per recorded call would be waste at 200
callers. The first change in an interval publishes at once (leading edge); later changes in the same interval
schedule one more hint at its end (trailing edge), so the dashboard always ends up showing the last change.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from leveller.realtime.publish import publish

log = logging.getLogger(__name__)
_lock = threading.Lock()
_last_sent: dict[int, float] = {}
_trailing: set[int] = set()
_timers: dict[int, threading.Timer] = {}


def cancel_pending() -> None:
    """Drop scheduled trailing hints (tests; a shutting-down process)."""
    with _lock:
        for timer in _timers.values():
            timer.cancel()
        _timers.clear()
        _trailing.clear()


def interval() -> float:
    return float(getattr(settings, "PHONEBANK_PROGRESS_SECONDS", 1.0))


def changed(campaign_id: int, *, kind: str = "calls") -> None:
    """Call inside an action's transaction when a campaign's numbers changed."""
    wait = interval()
    now = time.monotonic()
    with _lock:
        last = _last_sent.get(campaign_id, 0.0)
        if wait <= 0 or now - last >= wait:
            _last_sent[campaign_id] = now
            send = True
        else:
            send = False
            schedule = campaign_id not in _trailing
            if schedule:
                _trailing.add(campaign_id)
    if send:
        _publish(campaign_id, kind)
    elif schedule:
        timer = threading.Timer(last + wait - now + 0.01, _trailing_hint, args=(campaign_id, kind))
        timer.daemon = True
        _timers[campaign_id] = timer
        timer.start()


def _publish(campaign_id: int, kind: str) -> None:
    publish(
        streams=[f"campaign-{campaign_id}"], type="phonebank.progress", payload={"campaign": campaign_id, "kind": kind}
    )


def _trailing_hint(campaign_id: int, kind: str) -> None:
    with _lock:
        _trailing.discard(campaign_id)
        _timers.pop(campaign_id, None)
        _last_sent[campaign_id] = time.monotonic()
    try:
        close_old_connections()
        with transaction.atomic():
            _publish(campaign_id, kind)
    except Exception:  # a hint is a hint: the next change sends another
        log.exception("phonebank progress hint failed")
    finally:
        connection.close()
