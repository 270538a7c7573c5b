"""Fixtures shared by tests/core's task-worker tests."""

from __future__ import annotations

import pytest

from tests.core import faulty_tasks


@pytest.fixture
def queue(settings, transactional_db):
    """The durable database task queue (not the suite's immediate backend), with a short worker lease."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LEVELLER_WORKER_LEASE_SECONDS = 2
    faulty_tasks.RAN.clear()
    yield
    faulty_tasks.RAN.clear()
