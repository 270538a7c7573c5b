import pytest

from leveller.accounts import demo as accounts_demo
from leveller.elections import demo
from leveller.elections.models import Ballot, Election, State


@pytest.mark.django_db
def test_the_demo_votes_load_once_and_the_published_one_has_ballots_and_stages():
    accounts_demo.load(log=lambda _: None)
    demo.load(log=lambda _: None)
    demo.load(log=lambda _: None)
    assert Election.objects.count() == 4
    committee = Election.objects.get(title=demo.COMMITTEE)
    assert committee.state == State.VOTING and committee.seats == 6
    assert committee.candidates.count() == 10
    assert committee.minimum_rules.get().minimum == 3  # at least 40% of 6 seats
    published = Election.objects.get(state=State.PUBLISHED)
    assert Ballot.objects.filter(election=published).count() == 28
    assert len(published.result.data["elected"]) == 3 and published.result.data["stages"]
    assert Election.objects.get(title=demo.PRIMARY).candidates.count() == 14
