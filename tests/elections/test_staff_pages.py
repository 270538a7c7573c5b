"""Stella (staff) sets up a vote through the staff pages, without JavaScript: settings, candidates, the
minimum-representation rules and each step from draft to published results, with mistakes explained."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.forms.models import model_to_dict

from leveller.elections.actions.setup import SETTINGS
from leveller.elections.models import Election, MinimumRule, State
from tests.elections.helpers import stv_election

pytestmark = pytest.mark.django_db


def _flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _settings(election, **changes) -> dict:
    data = {k: v for k, v in model_to_dict(election, fields=SETTINGS).items() if v is not None}
    data.update({"electorate_groups": "", "electorate_tags": "", "electorate_roles": ""})
    data["freeze_date"] = election.freeze_date.isoformat()
    data["voting_closes_at"] = election.voting_closes_at.strftime("%Y-%m-%dT%H:%M")
    for key in [k for k, v in data.items() if v is False]:
        del data[key]  # an unticked box is not posted
    data.update(changes)
    return data


@pytest.fixture
def draft(staff):
    return stv_election(staff, open_voting=False)


def test_stella_opens_the_new_vote_page_and_changes_a_drafts_title(client, staff, draft):
    client.force_login(staff)
    assert client.get("/votes/new/").status_code == 200
    response = client.post(f"/votes/{draft.pk}/manage/", _settings(draft, title="Committee 2026"))
    assert response.status_code == 302
    assert Election.objects.get(pk=draft.pk).title == "Committee 2026"
    assert "Settings saved." in _flashes(client.get(f"/votes/{draft.pk}/manage/"))


def test_an_impossible_setting_is_shown_on_the_page_and_nothing_is_saved(client, staff, draft):
    client.force_login(staff)
    response = client.post(f"/votes/{draft.pk}/manage/", _settings(draft, seats="0"))
    assert response.status_code == 400
    assert Election.objects.get(pk=draft.pk).seats == draft.seats


def test_stella_adds_a_candidate_then_edits_their_statement(client, staff, draft):
    client.force_login(staff)
    response = client.post(f"/votes/{draft.pk}/manage/candidates/", {"name": "Eve", "statement": "Hello", "tags": ""})
    assert response.status_code == 302
    eve = draft.candidates.get(name="Eve")

    edit_url = f"/votes/{draft.pk}/manage/candidates/{eve.pk}/"
    assert "Hello" in client.get(edit_url).content.decode()
    response = client.post(edit_url, {"name": "Eve", "statement": "New statement", "tags": "woman"})
    assert response.status_code == 302
    eve.refresh_from_db()
    assert (eve.statement, eve.tags) == ("New statement", ["woman"])


def test_a_candidate_with_the_name_of_another_is_refused_on_the_page(client, staff, draft):
    client.force_login(staff)
    response = client.post(f"/votes/{draft.pk}/manage/candidates/", {"name": "Ann", "statement": "", "tags": ""})
    assert response.status_code == 400
    assert draft.candidates.filter(name="Ann").count() == 1


def test_stella_sets_a_minimum_rule_and_removes_it(client, staff, staff_tagged_candidates):
    election = staff_tagged_candidates
    client.force_login(staff)
    response = client.post(f"/votes/{election.pk}/manage/rules/", {"category": "woman", "minimum": "1"})
    assert response.status_code == 302, response.content.decode()[:1000]
    rule = MinimumRule.objects.get(election=election)
    assert (rule.category, rule.minimum) == ("woman", 1)

    client.post(f"/votes/{election.pk}/manage/rules/{rule.pk}/remove/")
    assert not MinimumRule.objects.filter(election=election).exists()


def test_a_rule_asking_for_more_seats_than_there_are_is_refused(client, staff, staff_tagged_candidates):
    election = staff_tagged_candidates
    client.force_login(staff)
    response = client.post(f"/votes/{election.pk}/manage/rules/", {"category": "woman", "minimum": "99"})
    assert response.status_code == 400
    assert not MinimumRule.objects.filter(election=election).exists()


@pytest.fixture
def staff_tagged_candidates(staff):
    election = stv_election(staff, open_voting=False)
    for candidate in election.candidates.filter(name__in=["Ann", "Cat"]):
        candidate.tags = ["woman"]
        candidate.save(update_fields=["tags"])
    return election


def test_stella_moves_a_vote_from_draft_to_published_results(client, staff, draft):
    client.force_login(staff)
    url = f"/votes/{draft.pk}/manage/state/"
    for step, states in [
        ("open_nominations", {State.NOMINATIONS}),
        ("open_voting", {State.VOTING}),
        ("close_voting", {State.CLOSED, State.COUNTED}),  # closing counts at once when it can
        ("count", {State.COUNTED}),
    ]:
        response = client.post(url, {"to": step}, follow=True)
        assert response.status_code == 200
        assert Election.objects.get(pk=draft.pk).state in states, (step, _flashes(response))
    client.post(url, {"to": "publish_results"})
    assert Election.objects.get(pk=draft.pk).state == State.PUBLISHED


def test_an_unknown_or_out_of_order_step_is_explained_and_changes_nothing(client, staff, draft):
    client.force_login(staff)
    url = f"/votes/{draft.pk}/manage/state/"
    assert "Unknown step." in _flashes(client.post(url, {"to": "teleport"}, follow=True))
    refused = client.post(url, {"to": "publish_results"}, follow=True)
    assert _flashes(refused) and Election.objects.get(pk=draft.pk).state == State.DRAFT
