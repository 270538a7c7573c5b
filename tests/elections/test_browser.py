"""Elections in a real browser: vote, refusals, results with the stage table; axe-clean; no JavaScript needed."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from tests.elections.helpers import stv_election, vote_ranked, voter, voters
from tests.support.browser import session_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_member_ranks_and_votes_a_late_joiner_cannot_a_second_vote_is_refused_and_results_show(new_page, staff, axe):
    election = stv_election(staff, names=("Ann Archer", "Bob Baker", "Cat Cole", "Dan Dee"), seats=2)
    member = voter("Vera Voter")
    page = new_page(member)
    page.goto("/votes/")
    axe(page)
    page.get_by_role("link", name="Committee election").click()
    expect(page.get_by_role("heading", name="How your ranking is counted")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Vote now").click()

    # A mistake first: the same number twice is explained, and nothing is lost.
    page.get_by_label("Cat Cole").select_option(label="1st preference")
    page.get_by_label("Ann Archer").select_option(label="1st preference")
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.get_by_role("alert")).to_contain_text("You gave your 1st preference to Ann Archer and Cat Cole")
    expect(page.get_by_label("Cat Cole")).to_have_value("1")
    axe(page)
    page.get_by_label("Ann Archer").select_option(label="2nd preference")
    page.get_by_role("button", name="Review my ballot").click()

    expect(page.get_by_role("heading", name="Check your ballot")).to_be_visible()
    expect(page.locator("#ballot-summary")).to_contain_text("1st: Cat Cole")
    axe(page)
    page.get_by_role("button", name="Cast my vote").click()
    expect(page.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
    receipt = page.locator("#receipt").inner_text()
    assert len(receipt) == 14
    axe(page)

    # A second vote is refused.
    page.goto(f"/votes/{election.pk}/ballot/")
    expect(page.get_by_text("You have already voted in this vote")).to_be_visible()
    assert page.locator("select").count() == 0

    # A member who joined after the freeze date cannot vote.
    late = new_page(voter("Lena Late", joined=dt.date(2025, 4, 1)))
    late.goto(f"/votes/{election.pk}/ballot/")
    expect(late.get_by_text("Only members who joined before 1 January 2025")).to_be_visible()
    assert late.locator("select").count() == 0

    # More votes, then close, count and publish: the results page has the stage table and the charts.
    for other, paper in zip(voters(6), [("Ann Archer",), ("Ann Archer", "Bob Baker"), ("Bob Baker",)] * 2, strict=True):
        vote_ranked(election, other, *paper)
    manager = new_page(staff)
    manager.goto(f"/votes/{election.pk}/manage/")
    axe(manager)
    manager.get_by_role("button", name="Close voting and count").click()
    expect(manager.get_by_role("button", name="Publish results")).to_be_visible()
    manager.get_by_role("button", name="Publish results").click()
    expect(manager.locator("#audit-trail")).to_contain_text("published the results")

    page.goto(f"/votes/{election.pk}/results/")
    expect(page.locator("#stage-table")).to_contain_text("Stage 1")
    expect(page.locator("#elected")).to_contain_text("Ann Archer")
    expect(page.locator("svg.chart").first).to_be_visible()
    axe(page)
    page.get_by_label("Your receipt code").fill(receipt)
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#receipt-result")).to_contain_text("1st: Cat Cole")


def test_voting_works_with_javascript_off_by_keyboard_alone_at_360_pixels(browser, live_server_asgi, staff, axe):
    election = stv_election(staff, names=("Ann", "Bob", "Cat"), seats=1)
    member = voter("Kay Keyboard")
    context = browser.new_context(
        base_url=live_server_asgi.url, java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    context.add_cookies([{"name": "sessionid", "value": session_for(member), "url": live_server_asgi.url}])
    page = context.new_page()
    try:
        page.goto(f"/votes/{election.pk}/ballot/")
        _no_horizontal_scroll(page)
        page.get_by_label("Bob").focus()
        page.keyboard.press("ArrowDown")  # Not ranked -> 1st preference
        page.get_by_role("button", name="Review my ballot").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#ballot-summary")).to_contain_text("1st: Bob")
        _no_horizontal_scroll(page)
        page.get_by_role("button", name="Cast my vote").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
        _no_horizontal_scroll(page)
    finally:
        context.close()
    transition_actions.close_voting(actor=staff, election=election)
    election.refresh_from_db()
    assert election.result.data["elected"] == ["Bob"]


def test_motion_and_primary_ballots_are_accessible(new_page, staff, axe):
    from django.utils import timezone

    motion = setup_actions.create_election(
        actor=staff, title="Rent motion", kind="motion", voting_closes_at=timezone.now() + dt.timedelta(days=1)
    )
    transition_actions.open_voting(actor=staff, election=motion)
    primary = setup_actions.create_election(
        actor=staff, title="Agenda", kind="approval", seats=1, voting_closes_at=timezone.now() + dt.timedelta(days=1)
    )
    for name in ("Rent", "Water"):
        setup_actions.add_candidate(actor=staff, election=primary, name=name)
    transition_actions.open_voting(actor=staff, election=primary)
    page = new_page(voter(), viewport={"width": 360, "height": 740})
    page.goto(f"/votes/{motion.pk}/ballot/")
    axe(page)
    page.get_by_label("Abstain").check()
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Cast my vote").click()
    expect(page.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
    page.goto(f"/votes/{primary.pk}/ballot/")
    axe(page)
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick at least one proposal")
    _no_horizontal_scroll(page)
