"""Groups in a real browser: find a group by postcode, join it, reach its channel; every page axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leveller.groups.actions import groups as group_actions
from leveller.groups.models import Kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_a_group_by_postcode_and_join_it_then_see_its_channel(new_page, brent, make_group, member, axe):
    make_group("Harrow", districts="HA1 HA2 HA3")
    visitor = new_page()
    visitor.goto("/groups/find/")
    axe(visitor)
    visitor.get_by_label("Your postcode").fill("nw10 3ln")
    visitor.get_by_role("button", name="Find groups").click()
    expect(visitor.get_by_role("heading", name="Groups for NW10")).to_be_visible()
    expect(visitor.get_by_role("link", name="Harrow")).to_be_visible()
    axe(visitor)
    visitor.get_by_label("Your postcode").fill("XX1 nonsense")
    visitor.get_by_role("button", name="Find groups").click()
    expect(visitor.get_by_role("alert")).to_contain_text("is not a UK postcode")

    page = new_page(member)
    page.goto("/groups/find/?postcode=NW10+3LN")
    page.get_by_role("link", name="Brent", exact=True).click()
    expect(page.get_by_role("heading", name="Brent", level=1)).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Join this group").click()
    expect(page.get_by_role("status")).to_contain_text("You joined Brent")
    page.get_by_role("link", name="Open the group's channel").click()
    expect(page).to_have_url(f"{page.url.split('/chat/')[0]}/chat/c/{brent.channel_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Brent")  # the group's name, not its slug
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("group-brent")


def test_group_pages_work_at_360_px_and_are_accessible(new_page, brent, organiser, staff, member, axe):
    group_actions.join_group(actor=member, group=brent)
    group_actions.propose_group(actor=member, name="Kilburn", districts="NW6", kind=Kind.LOCAL)
    page = new_page(organiser, viewport={"width": 360, "height": 780})
    for path, heading in [
        ("/groups/", "Groups"),
        (f"/groups/{brent.slug}/", "Brent"),
        (f"/groups/{brent.slug}/manage/", "Manage Brent"),
        ("/groups/propose/", "Propose a new group"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{path} scrolls sideways"
        axe(page)
    page.goto(f"/groups/{brent.slug}/manage/")
    expect(page.get_by_role("cell", name="Mo Member", exact=True)).to_be_visible()
    staff_page = new_page(staff, viewport={"width": 360, "height": 780})
    staff_page.goto("/groups/approvals/")
    expect(staff_page.get_by_role("heading", name="Kilburn")).to_be_visible()
    axe(staff_page)
    staff_page.get_by_role("button", name="Approve Kilburn").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Kilburn is approved")
