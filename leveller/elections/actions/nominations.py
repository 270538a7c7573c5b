"""Members stand and nominate: self-nomination with a statement, supporting nominations, group nominations."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from leveller.elections.actions._audit import record
from leveller.elections.actions.setup import _clean_tags
from leveller.elections.eligibility import ineligibility_reason
from leveller.elections.models import Candidate, CandidateStatus, Election, Kind, Nomination
from leveller.groups.models import Group


def _open_election(election: Election, actor) -> Election:
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.kind != Kind.STV:
        raise ValidationError("This vote does not take nominations.")
    if not election.nominations_open_now():
        raise ValidationError("Nominations are not open for this election.")
    reason = ineligibility_reason(election, actor)
    if reason:
        raise PermissionDenied(reason)
    return election


def qualifies(candidate: Candidate, election: Election) -> bool:
    members = candidate.nominations.filter(member__isnull=False).count()
    groups = candidate.nominations.filter(group_id__isnull=False).count()
    return members >= election.nomination_threshold or (election.group_nominations and groups > 0)


def _refresh_status(candidate: Candidate, election: Election) -> None:
    if candidate.status == CandidateStatus.NOMINATED and qualifies(candidate, election):
        candidate.status = CandidateStatus.STANDING
        candidate.save(update_fields=["status"])


@transaction.atomic
def stand(*, actor, election: Election, statement: str, tags=()) -> Candidate:
    """A member puts themselves forward, with a statement and any categories they identify with."""
    election = _open_election(election, actor)
    statement = (statement or "").strip()
    if len(statement) < 20:
        raise ValidationError("Write a statement of at least a couple of sentences so members know who you are.")
    if len(statement) > 5000:
        raise ValidationError("Keep your statement to 5,000 characters.")
    categories = set(election.minimum_rules.values_list("category", flat=True))
    tags = [t for t in _clean_tags(tags) if t in categories]
    try:
        with transaction.atomic():
            candidate = Candidate.objects.create(
                election=election,
                name=actor.display_name.replace('"', "'"),
                statement=statement,
                tags=tags,
                member=actor,
                status=CandidateStatus.NOMINATED,
                position=election.candidates.count() + 1,
            )
    except IntegrityError:
        raise ValidationError("You are already a candidate in this election (or someone with your name is).")
    _refresh_status(candidate, election)
    record(
        actor=actor,
        election=election,
        action="candidate_nominated",
        summary=f"{candidate.name} stood for election",
        candidate=candidate.pk,
        changes={"name": (None, candidate.name), "tags": (None, tags), "status": (None, candidate.status)},
    )
    return candidate


@transaction.atomic
def support(*, actor, candidate: Candidate) -> Nomination:
    """An eligible member adds their supporting nomination (once per candidate)."""
    election = _open_election(candidate.election, actor)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk, election=election)
    if candidate.status == CandidateStatus.WITHDRAWN:
        raise ValidationError(f"{candidate.name} has withdrawn.")
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(candidate=candidate, member=actor, made_by=actor)
    except IntegrityError:
        raise ValidationError(f"You have already nominated {candidate.name}.")
    _refresh_status(candidate, election)
    return nomination


def _group(group_id: int) -> Group | None:
    return Group.objects.filter(pk=group_id).first()


def groups_for_nominating(actor) -> list:
    """The approved groups this member organises."""
    return list(Group.objects.organised_by(actor).approved())


@transaction.atomic
def nominate_as_group(*, actor, candidate: Candidate, group_id: int) -> Nomination:
    """An organiser of a group records that group's nomination."""
    election = _open_election(candidate.election, actor)
    if not election.group_nominations:
        raise ValidationError("This election does not take group nominations.")
    group = _group(group_id)
    if group is None or group.pk not in {g.pk for g in groups_for_nominating(actor)}:
        raise PermissionDenied("Only an organiser of an approved group can nominate on its behalf.")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk, election=election)
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                candidate=candidate, group_id=group.pk, group_name=str(group)[:120], made_by=actor
            )
    except IntegrityError:
        raise ValidationError(f"{group} has already nominated {candidate.name}.")
    _refresh_status(candidate, election)
    record(
        actor=actor,
        election=election,
        action="group_nomination",
        summary=f"{group} nominated {candidate.name}",
        candidate=candidate.pk,
        group=group.pk,
    )
    return nomination
