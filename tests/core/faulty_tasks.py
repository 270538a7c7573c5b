"""Tasks for the worker tests (importable by path, as the database queue needs)."""

from django_tasks import task

RAN: list[str] = []


@task()
def note(*, name: str) -> str:
    RAN.append(name)
    return name
