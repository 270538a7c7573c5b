import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from leveller.elections.actions import nominations as nomination_actions
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.models import CandidateStatus
from tests.elections.helpers import stv_election, voter

pytestmark = pytest.mark.django_db
STATEMENT = "I have organised my branch for five years and want to open up the committee."


@pytest.fixture
def nominations(staff):
    election = stv_election(staff, names=("Ann", "Bob"), seats=1, open_voting=False, nomination_threshold=2)
    setup_actions.update_election(
        actor=staff,
        election=election,
        nominations_close_at=timezone.now() + dt.timedelta(days=1),
        voting_opens_at=timezone.now() + dt.timedelta(days=1),
    )
    setup_actions.set_minimum_rule(actor=staff, election=election, category="woman", minimum=1)
    transition_actions.open_nominations(actor=staff, election=election)
    return election


def test_a_member_stands_and_goes_on_the_ballot_once_enough_members_nominate_them(nominations):
    standing = voter("Nadia Stand")
    candidate = nomination_actions.stand(
        actor=standing, election=nominations, statement=STATEMENT, tags=["woman", "invented"]
    )
    assert candidate.status == CandidateStatus.NOMINATED
    assert candidate.tags == ["woman"]  # only categories the election uses
    nomination_actions.support(actor=voter(), candidate=candidate)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.NOMINATED
    nomination_actions.support(actor=voter(), candidate=candidate)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.STANDING


def test_a_member_nominates_a_candidate_once(nominations):
    candidate = nomination_actions.stand(actor=voter(), election=nominations, statement=STATEMENT)
    supporter = voter()
    nomination_actions.support(actor=supporter, candidate=candidate)
    with pytest.raises(ValidationError, match="already nominated"):
        nomination_actions.support(actor=supporter, candidate=candidate)


def test_members_who_joined_after_the_freeze_date_cannot_stand_or_nominate(nominations):
    late = voter(joined=dt.date(2025, 2, 2))
    with pytest.raises(PermissionDenied, match="joined before"):
        nomination_actions.stand(actor=late, election=nominations, statement=STATEMENT)
    candidate = nomination_actions.stand(actor=voter(), election=nominations, statement=STATEMENT)
    with pytest.raises(PermissionDenied):
        nomination_actions.support(actor=late, candidate=candidate)


def test_a_short_statement_is_refused_with_a_reason(nominations):
    with pytest.raises(ValidationError, match="statement"):
        nomination_actions.stand(actor=voter(), election=nominations, statement="Vote me")


def test_candidates_without_enough_nominations_are_left_off_the_ballot_paper(nominations, staff):
    nomination_actions.stand(actor=voter("Lonely Candidate"), election=nominations, statement=STATEMENT)
    setup_actions.update_election(actor=staff, election=nominations, voting_opens_at=None, nominations_close_at=None)
    setup_actions.update_candidate(actor=staff, candidate=nominations.candidates.get(name="Ann"), tags=["woman"])
    transition_actions.open_voting(actor=staff, election=nominations)
    from leveller.elections.actions.voting import ballot_options

    assert "Lonely Candidate" not in [c.name for c in ballot_options(nominations)]


def test_a_group_organiser_nominates_on_behalf_of_their_group(nominations, staff):
    groups = pytest.importorskip("leveller.groups.models")
    setup_actions.update_election(actor=staff, election=nominations, group_nominations=True)
    organiser = voter("Gail Group")
    group = groups.Group.objects.create(name="Leeds Renters", slug="leeds-renters", status="approved")
    groups.GroupMembership.objects.create(group=group, member=organiser, role="organiser")
    candidate = nomination_actions.stand(actor=voter(), election=nominations, statement=STATEMENT)
    nomination_actions.nominate_as_group(actor=organiser, candidate=candidate, group_id=group.pk)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.STANDING
    with pytest.raises(PermissionDenied):
        nomination_actions.nominate_as_group(actor=voter(), candidate=candidate, group_id=group.pk)


def test_the_nomination_page_stands_a_member_and_keeps_their_text_on_error(client, nominations):
    member = voter("Page Stander")
    client.force_login(member)
    response = client.post(f"/votes/{nominations.pk}/stand/", {"statement": "Too short"})
    assert "Too short" in response.content.decode() and "statement" in response.content.decode()
    response = client.post(f"/votes/{nominations.pk}/stand/", {"statement": STATEMENT, "tags": ["woman"]})
    assert response.status_code == 302
    page = client.get(f"/votes/{nominations.pk}/").content.decode()
    assert "Page Stander" in page and "You are standing" in page
