"""Which external services this run has, for skip markers with a printed reason."""

from __future__ import annotations

import pytest
from django.conf import settings

requires_postgres = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="needs PostgreSQL: set DATABASE_URL (CI's second run does)",
)
requires_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: set REDIS_URL (CI's second run does)")
on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
