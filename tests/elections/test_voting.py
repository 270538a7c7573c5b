import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, close_old_connections, transaction

from leveller.elections.actions import voting as voting_actions
from leveller.elections.models import Ballot, VoterRoll
from tests.elections.helpers import candidate_ids, stv_election, vote_ranked, voter

pytestmark = pytest.mark.django_db


def test_an_eligible_member_votes_and_gets_a_receipt_code(election):
    member = voter()
    receipt = vote_ranked(election, member, "Cat", "Ann")
    assert len(receipt) == 14 and receipt.count("-") == 2
    ballot = Ballot.objects.get(election=election)
    ids = candidate_ids(election)
    assert ballot.choices == [ids["Cat"], ids["Ann"]]
    assert ballot.receipt == receipt
    assert VoterRoll.objects.filter(election=election, member=member).exists()


def test_a_member_who_joined_after_the_freeze_date_cannot_vote(election):
    late = voter(joined=dt.date(2025, 3, 1))
    with pytest.raises(PermissionDenied, match="joined before 1 January 2025"):
        vote_ranked(election, late, "Ann")
    assert not Ballot.objects.exists() and not VoterRoll.objects.exists()


def test_a_supporter_or_lapsed_member_cannot_vote(election):
    with pytest.raises(PermissionDenied, match="current"):
        vote_ranked(election, voter(status="lapsed"), "Ann")


def test_a_second_vote_is_refused_and_stores_nothing(election):
    member = voter()
    vote_ranked(election, member, "Ann")
    with pytest.raises(ValidationError, match="already voted"):
        vote_ranked(election, member, "Bob")
    assert Ballot.objects.count() == 1


def test_the_voter_roll_has_a_database_constraint_of_one_row_per_member(election):
    member = voter()
    VoterRoll.objects.create(election=election, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        VoterRoll.objects.create(election=election, member=member)


def test_votes_outside_the_voting_window_are_refused(staff):
    election = stv_election(staff, open_voting=False)
    with pytest.raises(ValidationError, match="not open"):
        vote_ranked(election, voter(), "Ann")


def test_a_ranking_naming_someone_not_on_the_paper_is_refused(election, staff):
    other = stv_election(staff, title="Other", names=("Xi", "Yo"), seats=1)
    with pytest.raises(ValidationError, match="not on this ballot"):
        voting_actions.cast_ballot(actor=voter(), election=election, ranking=[candidate_ids(other)["Xi"]])
    with pytest.raises(ValidationError, match="twice"):
        ids = candidate_ids(election)
        voting_actions.cast_ballot(actor=voter(), election=election, ranking=[ids["Ann"], ids["Ann"]])


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submits_store_exactly_one_ballot(staff):
    election = stv_election(staff)
    member = voter()
    ids = candidate_ids(election)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def submit():
        barrier.wait()
        try:
            voting_actions.cast_ballot(actor=member, election=election, ranking=[ids["Ann"]])
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert Ballot.objects.filter(election=election).count() == 1
    assert VoterRoll.objects.filter(election=election).count() == 1
