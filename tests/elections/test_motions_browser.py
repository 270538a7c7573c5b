"""Member motions in a real browser: move, second, amend with tracked changes, accept as friendly; an outside
member told why they cannot vote; the process timeline. Pages are axe-clean and need no JavaScript."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leveller.elections.actions import processes as process_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.groups.models import Group
from tests.elections.helpers import stv_election, voter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "This organisation will campaign for rent controls in every city where we have a branch."


def test_a_member_moves_a_motion_another_seconds_and_amends_and_the_mover_accepts(new_page, axe):
    mover, seconder = voter("Mia Mover"), voter("Sid Seconder")
    page = new_page(mover)
    page.goto("/votes/motions/")
    axe(page)
    page.get_by_role("link", name="Move a motion").click()
    page.get_by_label("Title").fill("Rent controls")
    page.get_by_label("Text of the motion").fill(TEXT)
    page.get_by_role("button", name="Move this motion").click()
    expect(page.locator("#motion-state")).to_contain_text("Seeking seconders")
    expect(page.locator(".people").first).to_contain_text("Moved by Mia Mover")
    axe(page)
    url = page.url

    other = new_page(seconder)
    other.goto(url)
    other.get_by_role("button", name="Second this motion").click()
    expect(other.locator(".people").first).to_contain_text("seconded by Sid Seconder")
    other.get_by_role("link", name="Propose an amendment").click()
    other.get_by_label("The motion as amended").fill(TEXT.replace("every city", "every city and town"))
    other.get_by_role("button", name="Show my changes").click()
    expect(other.locator(".diff ins")).to_contain_text("and town")
    axe(other)
    other.get_by_role("button", name="Propose this amendment").click()
    expect(other.locator(".amendment ins")).to_contain_text("and town")

    page.goto(url)
    page.get_by_role("button", name="Accept amendment 1 as friendly").click()
    expect(page.locator("#motion-text")).to_contain_text("every city and town")
    axe(page)


def test_a_member_outside_the_region_sees_the_vote_and_is_told_why_they_cannot_vote(new_page, staff, axe):
    Group.objects.create(name="North West", slug="north-west", kind="regional", status="approved")
    election = stv_election(staff, open_voting=False, electorate_groups=["north-west"])
    transition_actions.open_voting(actor=staff, election=election)
    page = new_page(voter("Lon Don"))
    page.goto(f"/votes/{election.pk}/")
    expect(page.locator("#electorate")).to_contain_text("Members of North West")
    expect(page.get_by_text("you are not one of them")).to_be_visible()
    expect(page.get_by_role("link", name="Vote now")).to_have_count(0)
    axe(page)


def test_the_process_timeline_is_readable(new_page, staff, axe):
    now = timezone.now()
    process = process_actions.create_process(
        actor=staff,
        title="Re-foundation",
        proposals_open_at=now - dt.timedelta(days=1),
        proposals_close_at=now + dt.timedelta(days=3),
        voting_opens_at=now + dt.timedelta(days=5),
        voting_closes_at=now + dt.timedelta(days=9),
    )
    page = new_page(voter())
    page.goto(process.get_absolute_url())
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("#timeline li")).to_have_count(5)
    axe(page)
