"""Moving a vote through its states: draft → nominations → voting → closed → counted → published."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.elections import notify
from leveller.elections.actions._audit import record
from leveller.elections.actions.counting import count_election
from leveller.elections.actions.outcomes import vote_published
from leveller.elections.actions.schedule import schedule_close
from leveller.elections.actions.setup import _require_staff
from leveller.elections.actions.voting import remix_ballots
from leveller.elections.eligibility import eligible_members
from leveller.elections.models import Candidate, CandidateStatus, Election, Kind, MailKind, State
from leveller.elections.tasks import count_election_task
from leveller.push import hooks as push


def _lock(election: Election) -> Election:
    return Election.objects.select_for_update().get(pk=election.pk)


def _move(actor, election: Election, to: str, summary: str, **data) -> Election:
    before = election.state
    election.state = to
    election.save(update_fields=["state"])
    changes = {"state": (before, to)}
    record(actor=actor, election=election, action=f"state_{to}", summary=summary, changes=changes, **data)
    return election


@transaction.atomic
def open_nominations(*, actor, election: Election) -> Election:
    _require_staff(actor)
    election = _lock(election)
    if election.kind != Kind.STV:
        raise ValidationError("Only elections of candidates take nominations; open voting instead.")
    if election.state != State.DRAFT:
        raise ValidationError("Nominations can only open from a draft.")
    if election.nominations_open_at is None:
        election.nominations_open_at = timezone.now()
        election.save(update_fields=["nominations_open_at"])
    notify.queue(election, MailKind.NOMINATIONS_OPEN)
    push.nominations_open(election, eligible_members(election).values_list("pk", flat=True))
    return _move(actor, election, State.NOMINATIONS, "opened nominations")


def check_ballot_paper(election: Election) -> list[str]:
    """Problems that stop voting opening (empty when it can)."""
    standing = list(Candidate.objects.filter(election=election).on_ballot())
    problems = []
    if election.kind == Kind.STV and len(standing) < election.seats:
        problems.append(
            f"{len(standing)} candidate(s) are standing for {election.seats} seat(s): add candidates or reduce seats."
        )
    if election.kind in (Kind.APPROVAL, Kind.RANKED) and len(standing) <= election.seats:
        problems.append(f"A primary picking {election.seats} needs more than {election.seats} proposals.")
    for rule in election.minimum_rules.all():
        tagged = sum(1 for c in standing if rule.category in c.tags)
        if tagged < rule.minimum:
            problems.append(
                f"The rule “at least {rule.minimum} {rule.category}” cannot be met: only {tagged} standing "
                f"candidate(s) are tagged “{rule.category}”."
            )
    if election.voting_closes_at is None:
        problems.append("Set when voting closes.")
    elif election.voting_closes_at <= timezone.now():
        problems.append("The voting closing time has already passed: set a later one.")
    return problems


@transaction.atomic
def open_voting(*, actor, election: Election, authorised: bool = False) -> Election:
    if not authorised:
        _require_staff(actor)
    election = _lock(election)
    if election.state not in (State.DRAFT, State.NOMINATIONS):
        raise ValidationError("Voting can only open from a draft or after nominations.")
    problems = check_ballot_paper(election)
    if problems:
        raise ValidationError(problems)
    if election.voting_opens_at is None:
        election.voting_opens_at = timezone.now()
        election.save(update_fields=["voting_opens_at"])
    left_off = list(
        Candidate.objects.filter(election=election, status=CandidateStatus.NOMINATED).values_list("name", flat=True)
    )
    schedule_close(election)
    notify.queue(election, MailKind.VOTING_OPEN)
    notify.schedule_reminder(election)
    push.voting_open(election, eligible_members(election).values_list("pk", flat=True))
    return _move(actor, election, State.VOTING, "opened voting", not_enough_nominations=left_off)


@transaction.atomic
def close_voting(*, actor, election: Election) -> Election:
    """Close the ballot box, shuffle the stored ballots, then count (now, or in the background when large)."""
    _require_staff(actor)
    election = _lock(election)
    if election.state != State.VOTING:
        raise ValidationError("Only an open vote can be closed.")
    return _close(actor, election, "closed voting")


@transaction.atomic
def close_if_due(*, election: Election) -> Election | None:
    """The system closes a vote whose closing time has passed (the scheduled task calls this)."""
    election = _lock(election)
    due = election.voting_closes_at is not None and election.voting_closes_at <= timezone.now()
    if election.state != State.VOTING or not due:
        return None
    return _close(None, election, "voting closed at the set time")


def _close(actor, election: Election, summary: str) -> Election:
    remix_ballots(election=election)
    ballots = election.ballots.count()
    _move(actor, election, State.CLOSED, summary, ballots=ballots)
    if ballots <= settings.ELECTIONS_SYNC_COUNT_LIMIT:
        count_election(actor=actor, election=election)
        election.refresh_from_db()
    else:
        actor_id = getattr(actor, "pk", None)
        transaction.on_commit(lambda: count_election_task.enqueue(election_id=election.pk, actor_id=actor_id))
    return election


@transaction.atomic
def publish_results(*, actor, election: Election) -> Election:
    _require_staff(actor)
    election = _lock(election)
    if election.state != State.COUNTED:
        raise ValidationError("Results can be published once the count has finished.")
    election.result.published_at = timezone.now()
    election.result.save(update_fields=["published_at"])
    _move(actor, election, State.PUBLISHED, "published the results")
    notify.queue(election, MailKind.RESULTS)
    push.results_published(election, eligible_members(election).values_list("pk", flat=True))
    vote_published(actor=actor, election=election)
    return election
