"""Background work: closing a vote at its closing time, and counting a large vote after it closes."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def count_election_task(*, election_id: int, actor_id: int | None = None) -> str:
    from leveller.accounts.models import Member
    from leveller.elections.actions.counting import count_election
    from leveller.elections.models import Election, State

    election = Election.objects.filter(pk=election_id, state=State.CLOSED).first()
    if election is None:
        return "nothing to count"
    actor = Member.objects.filter(pk=actor_id).first() if actor_id else None
    result = count_election(actor=actor, election=election)
    return result.error or f"counted {result.ballots_counted} ballots"


@task()
def close_when_due_task(*, election_id: int) -> str:
    """Close a vote at its closing time. A stale task (the closing time moved) re-queues itself or does nothing."""
    from leveller.elections.actions.schedule import schedule_close
    from leveller.elections.actions.transitions import close_if_due
    from leveller.elections.models import Election, State

    election = Election.objects.filter(pk=election_id, state=State.VOTING).first()
    if election is None:
        return "not open"
    if election.voting_closes_at and election.voting_closes_at > timezone.now():
        schedule_close(election)
        return "not due yet"
    closed = close_if_due(election=election)
    return "closed" if closed else "not closed"


@task()
def send_election_mail_task(*, election_id: int, kind: str) -> str:
    """Send one kind of vote email to the electorate (see notify.py). A reminder queued for a closing time that
    has since moved re-queues itself for the new one."""
    from leveller.elections import notify
    from leveller.elections.models import Election, MailKind

    election = Election.objects.filter(pk=election_id).first()
    sender = notify.SENDERS.get(kind)
    if election is None or sender is None:
        return "nothing to send"
    if kind == MailKind.REMINDER:
        due = notify.reminder_due_at(election)
        if due is not None and due > timezone.now():
            notify.schedule_reminder(election)
            return "not due yet"
    return f"sent {sender(election)}"
