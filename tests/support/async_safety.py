"""Django's async-safety check, switched on for one test.

The check is on for the whole suite except the browser tests, which run last and set DJANGO_ALLOW_ASYNC_UNSAFE
(tests/support/browser.py: Playwright's sync API runs an event loop in the test's thread). This fixture makes
sure it is off for one test whatever ran before (the variable may also come from the environment pytest was
started in): Django reads it on each ORM call, and with it gone any database call made from a running event
loop raises SynchronousOnlyOperation, which the fixture checks first.
"""

from __future__ import annotations

import asyncio

import pytest
from django.core.exceptions import SynchronousOnlyOperation


@pytest.fixture
def async_safety_on(monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    from leveller.accounts.models import Member

    async def orm_in_the_loop():
        return Member.objects.count()

    with pytest.raises(SynchronousOnlyOperation):  # the check really is on
        asyncio.run(orm_in_the_loop())
