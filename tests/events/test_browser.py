import pytest
from playwright.sync_api import expect

from leveller.events.actions import courses as course_actions
from leveller.events.actions import rsvps as rsvp_actions

pytestmark = pytest.mark.browser


def test_rsvp_to_a_full_event_and_get_promoted_from_the_waitlist_when_someone_cancels(
    new_page, make_event, member, people, axe
):
    event = make_event(capacity=1, title="Canvassing training", online=True, online_url="https://meet.example.org/r1")
    (first,) = people(1)
    rsvp_actions.rsvp(actor=first, event=event)

    page = new_page(member)
    page.goto(f"/events/{event.pk}/")
    expect(page.get_by_text("The event is full.")).to_be_visible()
    expect(page.locator("#joining-link")).to_have_count(0)
    axe(page)
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator("#rsvp-status")).to_have_text("You're on the waitlist: number 1 in line.")
    expect(page.locator("html[data-realtime='open']")).to_have_count(1, timeout=30_000)  # its socket is open

    rsvp_actions.cancel_rsvp(actor=first, event=event)  # someone else cancels: the page updates itself
    expect(page.locator("#rsvp-status")).to_have_text("You're going.")
    expect(page.locator("#joining-link")).to_have_attribute("href", "https://meet.example.org/r1")
    axe(page)


def test_apply_to_a_course_and_be_accepted(new_page, staff, member, make_event, axe):
    course = course_actions.create_course(
        actor=staff, title="Future Councillors' Programme", questions=["Why do you want to stand?"]
    )
    session = make_event(course=course, title="Workshop 1: how councils work")

    page = new_page(member, viewport={"width": 360, "height": 800})
    page.goto(f"/courses/{course.slug}/")
    axe(page)
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()  # nothing sent without an answer
    page.get_by_label("Why do you want to stand?").fill("Our council keeps selling off land.")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("#application-status")).to_contain_text("Awaiting a decision")

    reviewer = new_page(staff)
    reviewer.goto(f"/courses/{course.slug}/applications/")
    expect(reviewer.get_by_text("Our council keeps selling off land.")).to_be_visible()
    axe(reviewer)
    reviewer.get_by_label("Accept").check()
    reviewer.get_by_label(f"Note to {member.display_name}").fill("Welcome aboard!")
    reviewer.get_by_role("button", name=f"Send decision on {member.display_name}").click()
    expect(reviewer.get_by_text(f"{member.display_name} is accepted")).to_be_visible()

    page.reload()
    expect(page.locator("#application-status")).to_contain_text("Accepted")
    expect(page.get_by_text("Welcome aboard!")).to_be_visible()
    page.get_by_role("link", name=session.title).click()
    expect(page.locator("#rsvp-status")).to_have_text("You're going.")


def test_the_event_pages_are_accessible_at_360_px(new_page, make_event, group, organiser, member, axe):
    event = make_event(actor=organiser, group=group, capacity=5)
    make_event(actor=member, group=group, title="Awaiting approval")
    page = new_page(organiser, viewport={"width": 360, "height": 800})
    for path in [
        "/events/?postcode=NW10",
        "/events/new/",
        f"/events/{event.pk}/attendance/",
        "/events/approvals/",
        "/events/settings/",
        "/courses/",
    ]:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        axe(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 362, path
