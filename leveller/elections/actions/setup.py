"""Staff set elections up: settings, candidates/proposals, minimum-representation rules, state changes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leveller.core.text import single_line
from leveller.elections.actions._audit import record
from leveller.elections.actions.schedule import schedule_close
from leveller.elections.models import (
    Candidate,
    CandidateStatus,
    Election,
    Kind,
    MinimumRule,
    Rules,
    State,
    Threshold,
)
from leveller.groups.models import Group

SETTINGS = (
    "kind",
    "title",
    "description",
    "seats",
    "rules",
    "nomination_threshold",
    "group_nominations",
    "freeze_date",
    "nominations_open_at",
    "nominations_close_at",
    "voting_opens_at",
    "voting_closes_at",
    "quorum",
    "threshold",
    "electorate_groups",
    "electorate_tags",
    "electorate_roles",
    "email_members",
    "process",
)
ELECTORATE = ("electorate_groups", "electorate_tags", "electorate_roles")
# What may still change once ballots are being cast: the wording and a later close.
CHANGEABLE_DURING_VOTING = {"title", "description", "voting_closes_at", "email_members"}
CHANGEABLE_AFTER_CLOSE = {"description", "email_members"}


def _require_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_staff_member", False):
        raise PermissionDenied("Only staff can set up votes.")


def _clean_electorate(fields: dict) -> None:
    """Normalise the electorate lists in `fields` (in place); unknown groups or roles are refused."""

    from leveller.accounts.models import Role

    for field in ELECTORATE:
        if field not in fields:
            continue
        values = fields[field] or []
        if isinstance(values, str):
            values = values.split(",")
        values = sorted({str(v).strip().lower() for v in values if str(v).strip()})
        if field == "electorate_roles" and (bad := [r for r in values if r not in Role.values]):
            raise ValidationError(f"Unknown role(s): {', '.join(bad)}. Roles are: {', '.join(Role.values)}.")
        if field == "electorate_tags" and any(len(t) > 40 for t in values):
            raise ValidationError("A tag can be at most 40 characters.")
        if field == "electorate_groups":
            known = set(Group.objects.filter(slug__in=values).values_list("slug", flat=True))
            if bad := [g for g in values if g not in known]:
                raise ValidationError(f"No group with the slug(s): {', '.join(bad)}.")
        fields[field] = values


def _check(election: Election) -> None:
    errors = []
    if not (election.title or "").strip():
        errors.append("Give the vote a title.")
    try:
        single_line(election.title or "", "The title", no_quotes=True)
    except ValidationError as error:
        errors.extend(error.messages)
    if election.kind not in Kind.values:
        errors.append("Choose what kind of vote this is.")
    if election.rules not in Rules.values:
        errors.append("Choose the counting rules: Scottish STV, ERS97 or Meek.")
    if election.threshold not in Threshold.values:
        errors.append("Choose the threshold a motion needs to pass.")
    if not election.seats or election.seats < 1:
        errors.append("There must be at least one seat (or one proposal to pick).")
    if election.seats and election.seats > 100:
        errors.append("At most 100 seats.")
    o, c = election.nominations_open_at, election.nominations_close_at
    if o and c and o >= c:
        errors.append("Nominations must open before they close.")
    o, c = election.voting_opens_at, election.voting_closes_at
    if o and c and o >= c:
        errors.append("Voting must open before it closes.")
    n_close, v_open = election.nominations_close_at, election.voting_opens_at
    if n_close and v_open and v_open < n_close:
        errors.append("Voting cannot open before nominations close.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_election(*, actor, title: str, kind: str = Kind.STV, authorised: bool = False, **fields) -> Election:
    """`authorised`: another action has already checked the actor (the standing-orders group scheduling a motion)."""
    if not authorised:
        _require_staff(actor)
    unknown = set(fields) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown election settings: {sorted(unknown)}")
    if kind == Kind.MOTION:
        fields["seats"] = 1
    _clean_electorate(fields)
    election = Election(title=(title or "").strip(), kind=kind, created_by=actor, **fields)
    _check(election)
    election.save()
    record(
        actor=actor,
        election=election,
        action="created",
        summary=f"created “{election.title}”",
        changes={f: (None, getattr(election, f)) for f in SETTINGS if getattr(election, f) not in (None, "")},
    )
    return election


@transaction.atomic
def update_election(*, actor, election: Election, authorised: bool = False, **fields) -> Election:
    """Change settings; records each field's before and after. Refuses changes that would be unfair mid-vote."""
    if not authorised:
        _require_staff(actor)
    election = Election.objects.select_for_update().get(pk=election.pk)
    unknown = set(fields) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown election settings: {sorted(unknown)}")
    if isinstance(fields.get("title"), str):
        fields["title"] = fields["title"].strip()
    _clean_electorate(fields)
    emptied = sorted(f for f, v in fields.items() if v is None and not Election._meta.get_field(f).null)
    if emptied:
        raise ValidationError(
            "These cannot be empty: "
            + ", ".join(f.replace("_", " ") for f in emptied)
            + " (leave them out to keep them)."
        )
    changes = {f: (getattr(election, f), v) for f, v in fields.items() if getattr(election, f) != v}
    if not changes:
        return election
    if election.state == State.VOTING:
        locked = set(changes) - CHANGEABLE_DURING_VOTING
        if locked:
            raise ValidationError(
                "Voting is open, so these can no longer change: "
                + ", ".join(sorted(f.replace("_", " ") for f in locked))
                + ". Only the title, description and closing time can (not the electorate either)."
            )
    elif election.state in (State.CLOSED, State.COUNTED, State.PUBLISHED):
        locked = set(changes) - CHANGEABLE_AFTER_CLOSE
        if locked:
            raise ValidationError("Voting has closed: only the description can change now.")
    if "kind" in changes and election.state != State.DRAFT:
        raise ValidationError("The kind of vote can only change while it is a draft.")
    new_close = fields.get("voting_closes_at")
    moved_close = election.state == State.VOTING and "voting_closes_at" in changes
    if moved_close and (not new_close or new_close <= timezone.now()):
        raise ValidationError("The new closing time must be in the future.")
    for field, (_, after) in changes.items():
        setattr(election, field, after)
    if election.kind == Kind.MOTION:
        election.seats = 1
    _check(election)
    election.save()
    if election.state == State.VOTING and "voting_closes_at" in changes:
        from leveller.elections import notify

        schedule_close(election)
        notify.schedule_reminder(election)
    record(
        actor=actor,
        election=election,
        action="updated",
        summary="changed " + ", ".join(f.replace("_", " ") for f in changes),
        changes=changes,
    )
    return election


def _lock_for_candidates(actor, election: Election) -> Election:
    _require_staff(actor)
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.state not in (State.DRAFT, State.NOMINATIONS):
        raise ValidationError("The ballot paper is fixed once voting opens; candidates can only withdraw.")
    return election


def _clean_tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = sorted({t.strip().lower() for t in tags or [] if t and t.strip()})
    if any(len(t) > 40 for t in cleaned):
        raise ValidationError("A category name can be at most 40 characters.")
    return cleaned


@transaction.atomic
def add_candidate(
    *, actor, election: Election, name: str, statement: str = "", tags=(), member=None, standing: bool = True
) -> Candidate:
    """Staff add a candidate (e.g. a paper nomination) or a proposal to a primary."""
    election = _lock_for_candidates(actor, election)
    if election.kind == Kind.MOTION:
        raise ValidationError("A motion has no candidates: members vote yes, no or abstain.")
    name = single_line(name, "A name", no_quotes=True)
    if not name:
        raise ValidationError("Give the candidate's name.")
    if len(name) > 120:
        raise ValidationError('A name can be at most 120 characters and cannot contain a double quote (").')
    status = CandidateStatus.STANDING if standing else CandidateStatus.NOMINATED
    try:
        with transaction.atomic():
            candidate = Candidate.objects.create(
                election=election,
                name=name,
                statement=(statement or "").strip(),
                tags=_clean_tags(tags),
                member=member,
                status=status,
                position=election.candidates.count() + 1,
            )
    except IntegrityError:
        raise ValidationError(f"There is already a {election.option_word} called “{name}” (or that member stands).")
    record(
        actor=actor,
        election=election,
        action="candidate_added",
        summary=f"added {election.option_word} {name}",
        candidate=candidate.pk,
        changes={"name": (None, name), "tags": (None, candidate.tags), "status": (None, status)},
    )
    return candidate


@transaction.atomic
def update_candidate(*, actor, candidate: Candidate, **fields) -> Candidate:
    """Staff edit a candidate's name, statement or categories (before voting opens)."""
    election = _lock_for_candidates(actor, candidate.election)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk, election=election)
    allowed = {"name", "statement", "tags"}
    if set(fields) - allowed:
        raise ValueError(f"unknown candidate fields: {sorted(set(fields) - allowed)}")
    if "tags" in fields:
        fields["tags"] = _clean_tags(fields["tags"])
    if "name" in fields:
        fields["name"] = single_line(fields["name"], "A name", no_quotes=True)
        if not fields["name"]:
            raise ValidationError('Give the candidate a name (without a double quote ").')
    changes = {f: (getattr(candidate, f), v) for f, v in fields.items() if getattr(candidate, f) != v}
    if not changes:
        return candidate
    for field, (_, after) in changes.items():
        setattr(candidate, field, after)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise ValidationError(f"There is already a {election.option_word} called “{candidate.name}”.")
    record(
        actor=actor,
        election=election,
        action="candidate_updated",
        summary=f"changed {candidate.name}: " + ", ".join(changes),
        candidate=candidate.pk,
        changes=changes,
    )
    return candidate


@transaction.atomic
def withdraw_candidate(*, actor, candidate: Candidate) -> Candidate:
    """Staff, or the candidate themselves, withdraw. During voting the name stays on the paper; the count
    skips them (their voters' next preferences count instead)."""
    is_self = candidate.member_id is not None and getattr(actor, "pk", None) == candidate.member_id
    if not is_self:
        _require_staff(actor)
    election = Election.objects.select_for_update().get(pk=candidate.election_id)
    if election.state not in (State.DRAFT, State.NOMINATIONS, State.VOTING):
        raise ValidationError("Voting has closed; a candidate can no longer withdraw.")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status == CandidateStatus.WITHDRAWN:
        return candidate
    before = candidate.status
    candidate.status = CandidateStatus.WITHDRAWN
    candidate.save(update_fields=["status"])
    record(
        actor=actor,
        election=election,
        action="candidate_withdrawn",
        summary=f"{candidate.name} withdrew",
        candidate=candidate.pk,
        changes={"status": (before, candidate.status)},
    )
    return candidate


@transaction.atomic
def set_minimum_rule(*, actor, election: Election, category: str, minimum: int) -> MinimumRule:
    election = _lock_for_candidates(actor, election)
    if election.kind != Kind.STV:
        raise ValidationError("Minimum-representation rules apply to elections of candidates only.")
    category = (category or "").strip().lower()
    if not category or len(category) > 40:
        raise ValidationError("Name the category (at most 40 characters), e.g. “woman”.")
    if not isinstance(minimum, int) or minimum < 1:
        raise ValidationError("The minimum must be a whole number of at least 1.")
    if minimum > election.seats:
        raise ValidationError(f"At least {minimum} of {election.seats} seats is impossible.")
    rule = MinimumRule.objects.filter(election=election, category=category).first()
    before = rule.minimum if rule else None
    if rule is None:
        rule = MinimumRule.objects.create(election=election, category=category, minimum=minimum)
    else:
        rule.minimum = minimum
        rule.save(update_fields=["minimum"])
    if before != minimum:
        record(
            actor=actor,
            election=election,
            action="minimum_rule_set",
            summary=f"at least {minimum} of {election.seats} seats to “{category}”",
            changes={f"minimum {category}": (before, minimum)},
        )
    return rule


@transaction.atomic
def remove_minimum_rule(*, actor, rule: MinimumRule) -> None:
    election = _lock_for_candidates(actor, rule.election)
    rule.delete()
    record(
        actor=actor,
        election=election,
        action="minimum_rule_removed",
        summary=f"removed the minimum for “{rule.category}”",
        changes={f"minimum {rule.category}": (rule.minimum, None)},
    )
