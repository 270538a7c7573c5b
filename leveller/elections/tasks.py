"""Background work: counting a large vote after it closes."""

from __future__ import annotations

from django_tasks import task


@task()
def count_election_task(*, election_id: int, actor_id: int | None = None) -> str:
    from leveller.accounts.models import Member
    from leveller.elections.actions import count_election
    from leveller.elections.models import Election, State

    election = Election.objects.filter(pk=election_id, state=State.CLOSED).first()
    if election is None:
        return "nothing to count"
    actor = Member.objects.filter(pk=actor_id).first() if actor_id else None
    result = count_election(actor=actor, election=election)
    return result.error or f"counted {result.ballots_counted} ballots"
