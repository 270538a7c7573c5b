"""The ballot page works with plain HTML forms: no JavaScript, clear messages, nothing lost on error."""

import re

import pytest

from leveller.elections.models import Ballot, VoterRoll
from tests.elections.helpers import candidate_ids, voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def voter_client(client):
    member = voter("Val Voter")
    client.force_login(member)
    client.member = member
    return client


def _ranks(election, **ranks):
    ids = candidate_ids(election)
    return {f"rank-{ids[name]}": str(n) for name, n in ranks.items()}


def test_the_ballot_paper_has_a_labelled_number_select_for_each_candidate(voter_client, election):
    page = voter_client.get(f"/votes/{election.pk}/ballot/").content.decode()
    for name, pk in candidate_ids(election).items():
        assert f'<label for="rank-{pk}">{name}' in page
        assert f'<select id="rank-{pk}" name="rank-{pk}">' in page
    assert "1st preference" in page and "Not ranked" in page
    assert "How your ranking is counted" in page


def test_two_candidates_with_the_same_number_get_a_clear_message_and_the_choices_are_kept(voter_client, election):
    data = {"step": "review", **_ranks(election, Ann=1, Bob=1, Cat=2)}
    response = voter_client.post(f"/votes/{election.pk}/ballot/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "You gave your 1st preference to Ann and Bob" in page
    ids = candidate_ids(election)
    selected = re.findall(r'name="rank-(\d+)">.*?<option value="(\d)" selected', page, re.S)
    assert {(int(a), b) for a, b in selected} >= {(ids["Ann"], "1"), (ids["Bob"], "1"), (ids["Cat"], "2")}
    assert not Ballot.objects.exists()


def test_a_gap_in_the_preferences_is_explained(voter_client, election):
    response = voter_client.post(f"/votes/{election.pk}/ballot/", {"step": "review", **_ranks(election, Ann=1, Bob=3)})
    assert response.status_code == 400
    assert "skip your 2nd preference" in response.content.decode()


def test_an_empty_ballot_asks_for_a_first_preference(voter_client, election):
    response = voter_client.post(f"/votes/{election.pk}/ballot/", {"step": "review"})
    assert "Give your 1st preference to at least one candidate" in response.content.decode()


def test_reviewing_shows_the_ranking_in_order_and_stores_nothing(voter_client, election):
    response = voter_client.post(f"/votes/{election.pk}/ballot/", {"step": "review", **_ranks(election, Cat=1, Ann=2)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check your ballot" in page
    assert page.index("1st: Cat") < page.index("2nd: Ann")
    assert "Not ranked: Bob, Dan" in page
    assert not Ballot.objects.exists() and not VoterRoll.objects.exists()


def test_change_goes_back_to_the_paper_with_the_choices_kept(voter_client, election):
    data = {"step": "change", **_ranks(election, Cat=1, Ann=2)}
    page = voter_client.post(f"/votes/{election.pk}/ballot/", data).content.decode()
    ids = candidate_ids(election)
    assert re.search(rf'name="rank-{ids["Cat"]}">.*?<option value="1" selected', page, re.S)


def test_casting_shows_the_receipt_in_the_response_never_in_a_url(voter_client, election):
    data = {"step": "cast", **_ranks(election, Cat=1, Ann=2)}
    response = voter_client.post(f"/votes/{election.pk}/ballot/", data)
    assert response.status_code == 200  # no redirect: the code must not travel in a URL or an access log
    assert "no-store" in response["Cache-Control"]
    ballot = Ballot.objects.get()
    assert ballot.receipt in response.content.decode()
    again = voter_client.get(f"/votes/{election.pk}/ballot/").content.decode()
    assert "already voted" in again and ballot.receipt not in again
    assert not any(ballot.receipt in str(v) for v in voter_client.session.values())


def test_a_member_who_joined_after_the_freeze_date_sees_why_and_no_ballot(client, election):
    import datetime as dt

    client.force_login(voter(joined=dt.date(2025, 6, 1)))
    page = client.get(f"/votes/{election.pk}/ballot/").content.decode()
    assert "joined before 1 January 2025" in page
    assert "rank-" not in page
    response = client.post(f"/votes/{election.pk}/ballot/", {"step": "cast", **_ranks(election, Ann=1)})
    assert not Ballot.objects.exists()
    assert response.status_code == 200


def test_members_cannot_see_draft_votes(client, staff):
    from tests.elections.helpers import stv_election

    draft = stv_election(staff, open_voting=False)
    client.force_login(voter())
    assert client.get(f"/votes/{draft.pk}/").status_code == 404
    assert client.get(f"/votes/{draft.pk}/ballot/").status_code == 404
    assert draft.title not in client.get("/votes/").content.decode()


def test_logged_out_visitors_are_sent_to_log_in(client, election):
    response = client.get(f"/votes/{election.pk}/ballot/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_home_page_lists_votes_waiting_for_the_member_until_they_vote(voter_client, election):
    assert "Votes waiting for you" in voter_client.get("/").content.decode()
    from tests.elections.helpers import vote_ranked

    vote_ranked(election, voter_client.member, "Ann")
    assert "Votes waiting for you" not in voter_client.get("/").content.decode()
    assert 'href="/votes/"' in voter_client.get("/").content.decode()  # the Votes nav item
