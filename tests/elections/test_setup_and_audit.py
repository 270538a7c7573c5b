import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from leveller.core.models import AuditEntry
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.models import Kind
from tests.elections.helpers import stv_election

pytestmark = pytest.mark.django_db


def _trail(election):
    return list(AuditEntry.objects.about(election).order_by("created_at", "id"))


def test_every_setting_change_is_audited_with_who_before_and_after(staff):
    election = stv_election(staff, open_voting=False)
    setup_actions.update_election(actor=staff, election=election, seats=3, freeze_date=dt.date(2024, 1, 1))
    entry = _trail(election)[-1]
    assert entry.actor == staff and entry.action == "election.updated"
    assert entry.data["changes"]["seats"] == {"before": 2, "after": 3}
    assert entry.data["changes"]["freeze_date"] == {"before": "2025-01-01", "after": "2024-01-01"}


def test_candidates_rules_and_state_changes_are_audited(staff):
    election = stv_election(staff, open_voting=False)
    ann = election.candidates.get(name="Ann")
    setup_actions.update_candidate(actor=staff, candidate=ann, tags="Woman, BAME")
    setup_actions.set_minimum_rule(actor=staff, election=election, category="woman", minimum=1)
    transition_actions.open_voting(actor=staff, election=election)
    setup_actions.withdraw_candidate(actor=staff, candidate=election.candidates.get(name="Dan"))
    transition_actions.close_voting(actor=staff, election=election)
    transition_actions.publish_results(actor=staff, election=election)
    kinds = [e.action for e in _trail(election)]
    for expected in (
        "election.created",
        "election.candidate_added",
        "election.candidate_updated",
        "election.minimum_rule_set",
        "election.state_voting",
        "election.candidate_withdrawn",
        "election.state_closed",
        "election.counted",
        "election.state_published",
    ):
        assert expected in kinds
    tags = next(e for e in _trail(election) if e.action == "election.candidate_updated").data["changes"]["tags"]
    assert tags == {"before": [], "after": ["bame", "woman"]}


def test_an_unchanged_save_writes_no_audit_entry(staff):
    election = stv_election(staff, open_voting=False)
    before = len(_trail(election))
    setup_actions.update_election(actor=staff, election=election, seats=2, title="Committee election")
    assert len(_trail(election)) == before


def test_the_ballot_paper_and_rules_are_fixed_once_voting_opens(staff, election):
    with pytest.raises(ValidationError, match="can no longer change: seats"):
        setup_actions.update_election(actor=staff, election=election, seats=3)
    with pytest.raises(ValidationError, match="fixed once voting opens"):
        setup_actions.add_candidate(actor=staff, election=election, name="Eve")
    later = timezone.now() + dt.timedelta(days=30)
    setup_actions.update_election(actor=staff, election=election, voting_closes_at=later)  # extending is fine
    election.refresh_from_db()
    assert election.voting_closes_at == later


def test_members_cannot_set_up_votes(member, election):
    with pytest.raises(PermissionDenied):
        setup_actions.create_election(actor=member, title="Mine", kind=Kind.MOTION)
    with pytest.raises(PermissionDenied):
        setup_actions.update_election(actor=member, election=election, title="Hijacked")
    with pytest.raises(PermissionDenied):
        transition_actions.close_voting(actor=member, election=election)


def test_impossible_settings_get_clear_messages(staff):
    with pytest.raises(ValidationError, match="Voting must open before it closes"):
        setup_actions.create_election(
            actor=staff,
            title="Backwards",
            voting_opens_at=timezone.now(),
            voting_closes_at=timezone.now() - dt.timedelta(days=1),
        )
    election = stv_election(staff, open_voting=False, seats=2)
    with pytest.raises(ValidationError, match="At least 3 of 2 seats is impossible"):
        setup_actions.set_minimum_rule(actor=staff, election=election, category="woman", minimum=3)
    setup_actions.set_minimum_rule(actor=staff, election=election, category="woman", minimum=1)
    with pytest.raises(ValidationError, match="only 0 standing candidate"):
        transition_actions.open_voting(actor=staff, election=election)


def test_the_staff_setup_page_shows_the_audit_trail_and_members_get_403(client, staff, member, election):
    setup_actions.update_election(actor=staff, election=election, description="New words")
    client.force_login(staff)
    page = client.get(f"/votes/{election.pk}/manage/").content.decode()
    assert 'id="audit-trail"' in page and "changed description" in page and "New words" in page
    client.force_login(member)
    assert client.get(f"/votes/{election.pk}/manage/").status_code == 403
    response = client.post(f"/votes/{election.pk}/manage/state/", {"to": "close_voting"})
    assert response.status_code == 403


def test_staff_create_a_vote_through_the_page_and_bad_input_keeps_what_was_typed(client, staff):
    client.force_login(staff)
    response = client.post(
        "/votes/new/",
        {
            "kind": "stv",
            "title": "Committee",
            "seats": "0",
            "rules": "scottish",
            "threshold": "simple",
            "quorum": "0",
            "nomination_threshold": "0",
            "description": "Kept text",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Kept text" in page
    response = client.post(
        "/votes/new/",
        {
            "kind": "stv",
            "title": "Committee",
            "seats": "3",
            "rules": "scottish",
            "threshold": "simple",
            "quorum": "0",
            "nomination_threshold": "2",
        },
    )
    assert response.status_code == 302
