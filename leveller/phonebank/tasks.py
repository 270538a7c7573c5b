"""Background work: loading large contact lists."""

from __future__ import annotations

from django_tasks import task


@task()
def import_contacts(*, job_id: int) -> dict:
    from leveller.phonebank.actions import contacts as contact_actions
    from leveller.phonebank.models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return {"status": "missing"}
    return contact_actions.run_import_job(job=job).report()
