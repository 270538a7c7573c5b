"""Tasks for the worker tests (importable by path, as the database queue needs)."""

from django_tasks import task

RAN: list[str] = []


@task()
def note(*, name: str) -> str:
    RAN.append(name)
    return name


@task()
def stop_worker(*, name: str) -> str:
    """Sends this process SIGTERM while it runs, as an operator's `kill` would arrive mid-task."""
    import os
    import signal

    RAN.append(name)
    os.kill(os.getpid(), signal.SIGTERM)
    return name
