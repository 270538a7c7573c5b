"""Queueing the automatic close of a vote at its closing time."""

from __future__ import annotations

from django.db import transaction


def schedule_close(election) -> None:
    """After commit, queue the close for `voting_closes_at`. Where the queue cannot defer (the immediate backend
    in tests) nothing is queued; staff can always close by hand."""
    from leveller.elections.tasks import close_when_due_task

    pk, when = election.pk, election.voting_closes_at

    def enqueue() -> None:
        if when is not None and close_when_due_task.get_backend().supports_defer:
            close_when_due_task.using(run_after=when).enqueue(election_id=pk)

    transaction.on_commit(enqueue)
