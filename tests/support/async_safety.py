"""Django's async-safety check, switched on for one test.

pytest-env sets DJANGO_ALLOW_ASYNC_UNSAFE for the whole suite (the browser tests drive Playwright's event loop
from the test thread). Django reads the variable on each ORM call, so removing it for a test puts the check
back: any database call made from a running event loop raises SynchronousOnlyOperation.
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
