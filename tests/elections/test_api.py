import pytest

from leveller.elections.actions import transitions as transition_actions
from leveller.elections.models import Ballot
from tests.elections.helpers import candidate_ids, stv_election, voter

pytestmark = pytest.mark.django_db


def test_a_member_lists_votes_and_casts_a_ballot_through_the_api(api_client, election):
    client = api_client(voter())
    listed = client.get("/api/v1/elections").json()
    assert [e["title"] for e in listed] == ["Committee election"]
    assert listed[0]["you_can_vote"] is True
    ids = candidate_ids(election)
    response = client.post(f"/api/v1/elections/{election.pk}/ballot", {"ranking": [ids["Bob"], ids["Ann"]]})
    assert response.status_code == 201
    assert Ballot.objects.get().receipt == response.json()["receipt"]
    again = client.post(f"/api/v1/elections/{election.pk}/ballot", {"ranking": [ids["Bob"]]})
    assert again.status_code == 400 and "already voted" in again.json()["detail"]
    assert client.get(f"/api/v1/elections/{election.pk}").json()["you_voted"] is True


def test_the_api_refuses_ineligible_members_and_hides_drafts_and_unpublished_results(api_client, staff, election):
    import datetime as dt

    late = api_client(voter(joined=dt.date(2025, 5, 5)))
    ids = candidate_ids(election)
    response = late.post(f"/api/v1/elections/{election.pk}/ballot", {"ranking": [ids["Ann"]]})
    assert response.status_code == 403 and "freeze" in response.json()["detail"]
    draft = stv_election(staff, title="Secret draft", open_voting=False)
    client = api_client(voter())
    assert client.get(f"/api/v1/elections/{draft.pk}").status_code == 404
    assert client.get(f"/api/v1/elections/{election.pk}/results").status_code == 403
    assert client.get("/api/v1/elections").status_code == 200
    assert api_client().get("/api/v1/elections").status_code == 401


def test_staff_set_up_and_run_a_vote_through_the_api_and_members_cannot(api_client, staff, member):
    client = api_client(staff)
    created = client.post("/api/v1/elections", {"title": "Motion on rent", "kind": "motion", "quorum": 1})
    assert created.status_code == 201
    pk = created.json()["id"]
    patched = client.patch(f"/api/v1/elections/{pk}", {"voting_closes_at": "2099-01-01T12:00:00Z"})
    assert patched.status_code == 200
    assert client.post(f"/api/v1/elections/{pk}/state", {"to": "voting"}).json()["state"] == "voting"
    assert api_client(member).patch(f"/api/v1/elections/{pk}", {"title": "Mine"}).status_code == 403
    cast = api_client(voter()).post(f"/api/v1/elections/{pk}/ballot", {"answer": "yes"})
    assert cast.status_code == 201
    assert client.post(f"/api/v1/elections/{pk}/state", {"to": "closed"}).json()["state"] == "counted"
    assert client.post(f"/api/v1/elections/{pk}/state", {"to": "published"}).status_code == 200
    result = api_client(member).get(f"/api/v1/elections/{pk}/results").json()
    assert result["result"]["yes"] == 1 and result["result"]["passed"] is True
    trail = client.get(f"/api/v1/elections/{pk}/audit").json()
    assert any(entry["action"] == "election.updated" for entry in trail)
    assert api_client(member).get(f"/api/v1/elections/{pk}/audit").status_code == 403


def test_bad_api_input_gets_a_clear_400(api_client, staff, election):
    client = api_client(staff)
    response = client.post(f"/api/v1/elections/{election.pk}/state", {"to": "sideways"})
    assert response.status_code == 400 and "must be one of" in response.json()["detail"]
    response = api_client(voter()).post(f"/api/v1/elections/{election.pk}/ballot", {"ranking": []})
    assert response.status_code == 400 and "1st preference" in response.json()["detail"]
    transition_actions.close_voting(actor=staff, election=election)
