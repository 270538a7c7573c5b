"""Amendment rules a member meets: a process's amendment deadline, empty or overlong text, at most five open
amendments each, seconding once and only while open, accepting only what still merges, withdrawing only before a
decision. Each refusal is a sentence and leaves the motion and amendment as they were."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from leveller.elections.actions import amendments as amendment_actions
from leveller.elections.actions import motions as motion_actions
from leveller.elections.actions import processes as process_actions
from leveller.elections.actions.motions import AlreadyDone
from leveller.elections.models import AmendmentState
from tests.elections.helpers import voter

pytestmark = pytest.mark.django_db

TEXT = "This organisation will campaign for rent controls in every city where we have a branch."
AMENDED = "This organisation will campaign for rent controls and secure tenancies in every city and town."


@pytest.fixture
def motion(member):
    return motion_actions.propose_motion(actor=member, title="Rent controls", text=TEXT)


def test_no_amendments_once_the_process_stops_taking_them(staff, member):
    now = timezone.now()
    process = process_actions.create_process(
        actor=staff,
        title="Conference",
        proposals_open_at=now - dt.timedelta(days=10),
        proposals_close_at=now + dt.timedelta(days=5),
    )
    motion = motion_actions.propose_motion(actor=member, title="Rent controls", text=TEXT, process=process)
    process_actions.update_process(
        actor=staff,
        process=process,
        proposals_open_at=now - dt.timedelta(days=10),
        proposals_close_at=now - dt.timedelta(minutes=1),
    )
    with pytest.raises(ValidationError, match="Conference is no longer taking amendments"):
        amendment_actions.propose_amendment(actor=voter(), motion=motion, text=AMENDED)
    assert not motion.amendments.exists()


def test_an_empty_or_overlong_amendment_is_refused_with_a_reason(motion):
    amender = voter()
    with pytest.raises(ValidationError, match="Write the motion as your amendment would have it read"):
        amendment_actions.propose_amendment(actor=amender, motion=motion, text="   ")
    with pytest.raises(ValidationError, match="20,000 characters"):
        amendment_actions.propose_amendment(actor=amender, motion=motion, text="word " * 5000)
    assert not motion.amendments.exists()


def test_a_member_has_at_most_five_open_amendments_to_one_motion(motion):
    amender = voter("Amy Amender")
    for n in range(5):
        amendment_actions.propose_amendment(actor=amender, motion=motion, text=f"{TEXT} Version {n}.")
    with pytest.raises(ValidationError, match="You already have 5 open amendments to this motion; withdraw one"):
        amendment_actions.propose_amendment(actor=amender, motion=motion, text=AMENDED)
    first = motion.amendments.order_by("pk").first()
    amendment_actions.withdraw_amendment(actor=amender, amendment=first)
    amendment_actions.propose_amendment(actor=amender, motion=motion, text=AMENDED)
    assert motion.amendments.filter(state=AmendmentState.SEEKING_SECONDERS).count() == 5


def test_a_closed_motion_takes_no_amendments(member, motion):
    motion_actions.withdraw_motion(actor=member, motion=motion)
    with pytest.raises(ValidationError, match="This motion is withdrawn by the mover; it can no longer be amended"):
        amendment_actions.propose_amendment(actor=voter(), motion=motion, text=AMENDED)


def test_seconding_an_amendment_twice_or_after_it_is_withdrawn_is_refused(motion):
    amender, seconder = voter("Amy Amender"), voter("Sam Seconder")
    amendment = amendment_actions.propose_amendment(actor=amender, motion=motion, text=AMENDED)
    amendment_actions.second_amendment(actor=seconder, amendment=amendment)
    with pytest.raises(AlreadyDone, match="You have already seconded this amendment"):
        amendment_actions.second_amendment(actor=seconder, amendment=amendment)
    assert amendment.seconders.count() == 1
    amendment_actions.withdraw_amendment(actor=amender, amendment=amendment)
    with pytest.raises(ValidationError, match="This amendment is withdrawn; it can no longer be seconded"):
        amendment_actions.second_amendment(actor=voter(), amendment=amendment)
    with pytest.raises(ValidationError, match="only be withdrawn before it is accepted or voted on"):
        amendment_actions.withdraw_amendment(actor=amender, amendment=amendment)


def test_the_mover_cannot_accept_a_withdrawn_amendment(member, motion):
    amender = voter("Amy Amender")
    amendment = amendment_actions.propose_amendment(actor=amender, motion=motion, text=AMENDED)
    amendment_actions.withdraw_amendment(actor=amender, amendment=amendment)
    with pytest.raises(ValidationError, match="This amendment is withdrawn; it cannot be accepted"):
        amendment_actions.accept_amendment(actor=member, amendment=amendment)
    motion.refresh_from_db()
    assert motion.text == TEXT


def test_an_amendment_to_words_already_changed_cannot_be_accepted_and_the_text_stays(member, motion):
    towns = amendment_actions.propose_amendment(
        actor=voter(), motion=motion, text=TEXT.replace("every city", "every city and town")
    )
    villages = amendment_actions.propose_amendment(
        actor=voter(), motion=motion, text=TEXT.replace("every city", "every city and village")
    )
    amendment_actions.accept_amendment(actor=member, amendment=towns)
    motion.refresh_from_db()
    accepted_text = motion.text
    with pytest.raises(ValidationError, match="changes words that have changed since it was written"):
        amendment_actions.accept_amendment(actor=member, amendment=villages)
    motion.refresh_from_db()
    villages.refresh_from_db()
    assert motion.text == accepted_text and "town" in accepted_text
    assert villages.state == AmendmentState.SEEKING_SECONDERS


def test_an_amendment_refused_on_its_page_shows_why_and_keeps_the_text_typed(client, member, motion):
    client.force_login(voter("Amy Amender"))
    response = client.post(reverse("elections:motion_amend", args=[motion.pk]), {"text": "", "reason": "Tidier"})
    assert response.status_code == 400
    assert "Write the motion as your amendment would have it read." in response.content.decode()
    assert "Tidier" in response.content.decode()
