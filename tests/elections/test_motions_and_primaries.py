import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.actions import voting as voting_actions
from leveller.elections.models import Kind, State
from leveller.elections.tally import motion_outcome
from tests.elections.helpers import candidate_ids, voter, voters


def test_a_simple_majority_needs_more_yes_than_no_and_ignores_abstentions():
    assert motion_outcome(yes=5, no=4, abstain=20, quorum=0, threshold="simple")["passed"]
    assert not motion_outcome(yes=4, no=4, abstain=0, quorum=0, threshold="simple")["passed"]


def test_two_thirds_is_of_votes_cast_excluding_abstentions():
    assert motion_outcome(yes=10, no=5, abstain=50, quorum=0, threshold="two_thirds")["passed"]  # exactly 2/3
    assert not motion_outcome(yes=9, no=5, abstain=0, quorum=0, threshold="two_thirds")["passed"]
    assert motion_outcome(yes=3, no=2, abstain=0, quorum=0, threshold="three_fifths")["passed"]
    assert not motion_outcome(yes=0, no=0, abstain=3, quorum=0, threshold="two_thirds")["passed"]


def test_below_quorum_a_motion_fails_however_the_votes_fall_and_abstentions_count_towards_quorum():
    short = motion_outcome(yes=5, no=0, abstain=0, quorum=6, threshold="simple")
    assert not short["quorate"] and not short["passed"]
    met = motion_outcome(yes=5, no=0, abstain=1, quorum=6, threshold="simple")
    assert met["quorate"] and met["passed"]


def _open(staff, kind, **fields):
    election = setup_actions.create_election(
        actor=staff,
        title=f"A {kind} vote",
        kind=kind,
        voting_closes_at=timezone.now() + dt.timedelta(days=2),
        **fields,
    )
    return election


@pytest.mark.django_db
def test_a_motion_vote_end_to_end_with_results_hidden_until_close(client, staff):
    motion = _open(staff, Kind.MOTION, quorum=4, threshold="two_thirds")
    transition_actions.open_voting(actor=staff, election=motion)
    for member, answer in zip(voters(5), ["yes", "yes", "no", "abstain", "yes"], strict=True):
        voting_actions.cast_ballot(actor=member, election=motion, answer=answer)
    client.force_login(voter())
    assert client.get(f"/votes/{motion.pk}/results/").status_code == 403
    with pytest.raises(ValidationError, match="Choose Yes, No or Abstain"):
        voting_actions.cast_ballot(actor=voter(), election=motion, answer="maybe")
    transition_actions.close_voting(actor=staff, election=motion)
    motion.refresh_from_db()
    data = motion.result.data
    assert (data["yes"], data["no"], data["abstain"], data["quorate"], data["passed"]) == (3, 1, 1, True, True)
    transition_actions.publish_results(actor=staff, election=motion)
    page = client.get(f"/votes/{motion.pk}/results/").content.decode()
    assert "The motion passed" in page and "<svg" in page


@pytest.mark.django_db
def test_an_inquorate_motion_is_reported_as_no_valid_result(staff):
    motion = _open(staff, Kind.MOTION, quorum=10)
    transition_actions.open_voting(actor=staff, election=motion)
    voting_actions.cast_ballot(actor=voter(), election=motion, answer="yes")
    transition_actions.close_voting(actor=staff, election=motion)
    motion.refresh_from_db()
    assert not motion.result.data["quorate"] and not motion.result.data["passed"]


@pytest.mark.django_db
def test_an_approval_primary_picks_the_top_n_proposals(staff):
    primary = _open(staff, Kind.APPROVAL, seats=2)
    for name in ("Rent", "Water", "Rail", "Care"):
        setup_actions.add_candidate(actor=staff, election=primary, name=name)
    transition_actions.open_voting(actor=staff, election=primary)
    ids = candidate_ids(primary)
    approvals = [["Rent", "Water"], ["Rent", "Rail"], ["Rent", "Water", "Care"], ["Water"], ["Care"], ["Rent"]]
    for member, picks in zip(voters(len(approvals)), approvals, strict=True):
        voting_actions.cast_ballot(actor=member, election=primary, approvals=[ids[p] for p in picks])
    transition_actions.close_voting(actor=staff, election=primary)
    primary.refresh_from_db()
    assert primary.result.data["elected"] == ["Rent", "Water"]
    tallies = {t["name"]: t["votes"] for t in primary.result.data["tallies"]}
    assert tallies == {"Rent": 4, "Water": 3, "Care": 2, "Rail": 1}
    assert not primary.result.data["lot_used"]
    assert primary.state == State.COUNTED


@pytest.mark.django_db
def test_a_tie_at_the_cut_off_is_broken_by_a_recorded_seeded_lot(staff):
    primary = _open(staff, Kind.APPROVAL, seats=1)
    for name in ("Rent", "Water"):
        setup_actions.add_candidate(actor=staff, election=primary, name=name)
    transition_actions.open_voting(actor=staff, election=primary)
    ids = candidate_ids(primary)
    voting_actions.cast_ballot(actor=voter(), election=primary, approvals=[ids["Rent"], ids["Water"]])
    transition_actions.close_voting(actor=staff, election=primary)
    primary.refresh_from_db()
    data = primary.result.data
    assert data["lot_used"] and isinstance(data["seed"], int) and len(data["elected"]) == 1


@pytest.mark.django_db
def test_a_ranked_primary_picks_the_top_n_by_stv(staff):
    primary = _open(staff, Kind.RANKED, seats=2, rules="meek")
    for name in ("Rent", "Water", "Rail", "Care", "Schools"):
        setup_actions.add_candidate(actor=staff, election=primary, name=name)
    transition_actions.open_voting(actor=staff, election=primary)
    ids = candidate_ids(primary)
    papers = [["Rent", "Water"]] * 4 + [["Water", "Rent"]] * 3 + [["Rail", "Water"]] * 2 + [["Care"]]
    for member, paper in zip(voters(len(papers)), papers, strict=True):
        voting_actions.cast_ballot(actor=member, election=primary, ranking=[ids[p] for p in paper])
    transition_actions.close_voting(actor=staff, election=primary)
    primary.refresh_from_db()
    assert primary.result.data["method"] == "stv"
    assert primary.result.data["elected"] == ["Rent", "Water"]


@pytest.mark.django_db
def test_a_motion_has_no_candidates_and_a_primary_needs_more_proposals_than_it_picks(staff):
    motion = _open(staff, Kind.MOTION)
    with pytest.raises(ValidationError, match="no candidates"):
        setup_actions.add_candidate(actor=staff, election=motion, name="X")
    primary = _open(staff, Kind.APPROVAL, seats=3)
    setup_actions.add_candidate(actor=staff, election=primary, name="Only one")
    with pytest.raises(ValidationError, match="needs more than 3 proposals"):
        transition_actions.open_voting(actor=staff, election=primary)
