"""The Redis cache, made a shortcut that can fail: while Redis is unreachable every read is a miss and every write
is dropped (logged once a second at most), so a Redis outage slows pages down instead of failing requests with a
500, even after a committed change (the chat fragments, the page cache, the rate limiter all go through it).

After a failure Redis is not tried again for RETRY_AFTER seconds, so an outage costs no connect per call; the
connection's own timeouts (settings: 0.5 s) bound the first failure. The rate limiter counts nothing while
Redis is away (it fails open), which docs/operations.md says.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
RETRY_AFTER = 1.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    _down_until = 0.0
    _logged_at = 0.0

    def _try(self, call, miss, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return miss
        try:
            return call(*args, **kwargs)
        except UNREACHABLE as error:
            now = time.monotonic()
            self._down_until = now + RETRY_AFTER
            if now - self._logged_at > 1.0:
                self._logged_at = now
                log.warning("cache unreachable (%s); serving without it", (str(error).splitlines() or [""])[0][:200])
            return miss

    def get(self, key, default=None, version=None):
        return self._try(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._try(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._try(super().has_key, False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(super().set, None, key, value, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(super().set_many, list(data), data, timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(super().add, True, key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(super().touch, False, key, timeout, version=version)

    def incr(self, key, delta=1, version=None):
        return self._try(super().incr, delta, key, delta, version)

    def decr(self, key, delta=1, version=None):
        return self._try(super().decr, -delta, key, delta, version)

    def delete(self, key, version=None):
        return self._try(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._try(super().delete_many, None, keys, version)

    def clear(self):
        return self._try(super().clear, None)
