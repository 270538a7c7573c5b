"""The one rate limiter, and the one way to tell who is asking (the client address behind reverse proxies).

Every rate limit in Leveller goes through `hit()`: a fixed-window counter in the cache (local memory when
embedded, Redis when REDIS_URL is set, so the count is shared by every process). A limit is a `Rate`
(how many, per how many seconds); `count=0` switches it off. Two cache round trips per hit, no database.
The login lockout is django-axes' own (it locks per email and address, not per window); it reads the client
address from `client_ip` below, like everything else.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Rate:
    name: str
    count: int  # allowed hits per window; 0 = unlimited
    seconds: int

    def describe(self) -> str:
        minutes = self.seconds // 60
        unit = "hour" if self.seconds == 3600 else f"{minutes} minutes" if minutes != 1 else "minute"
        return f"{self.count} per {unit}"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int  # hits in this window, this one included
    retry_after: int  # seconds until the window ends
    limit: int = 0

    @property
    def just_tripped(self) -> bool:
        """True only for the first refused hit of a window: the moment to raise an alert, once."""
        return not self.allowed and self.count == self.limit + 1


def hit(rate: Rate, key: str | int, *, cost: int = 1) -> Verdict:
    """Count one hit of `rate` for `key` (a member id, an address…) and say whether it is within the limit."""
    if rate.count <= 0:
        return Verdict(True, 0, 0, rate.count)
    now = time.time()
    window = int(now // rate.seconds)
    name = f"limit:{rate.name}:{key}:{window}"
    if cache.add(name, cost, timeout=rate.seconds + 5):
        count = cost
    else:
        try:
            count = cache.incr(name, cost)
        except ValueError:  # expired between add and incr
            cache.set(name, cost, timeout=rate.seconds + 5)
            count = cost
    retry_after = max(1, int((window + 1) * rate.seconds - now))
    return Verdict(count <= rate.count, count, retry_after, rate.count)


def peek(rate: Rate, key: str | int) -> int:
    """Hits so far in this window, without counting one."""
    window = int(time.time() // rate.seconds)
    return int(cache.get(f"limit:{rate.name}:{key}:{window}") or 0)


def client_ip(request) -> str | None:
    """The address of whoever sent `request`: with LEVELLER_PROXY_COUNT = N reverse proxies in front, the Nth
    address from the right of X-Forwarded-For (each proxy appends the address it saw; anything further left
    was written by the client and is not trusted); otherwise the connection's own address."""
    meta = getattr(request, "META", request)
    proxies = settings.LEVELLER_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return meta.get("REMOTE_ADDR") or None  # None, not a made-up word: axes stores it in an inet column
