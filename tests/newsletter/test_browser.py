"""In a real browser: an editor composes an issue with a chosen member answer, publishes it, and anyone can read
it in the archive and find it in the feed. Pages are checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from leveller.newsletter.actions import voices
from tests.newsletter.conftest import add_subscribers

pytestmark = pytest.mark.browser


def test_an_editor_composes_and_publishes_an_issue_with_a_member_answer_that_readers_find(
    smtp, editor, member, new_page, axe, live_server_asgi
):
    add_subscribers(3)
    question = voices.create_question(actor=editor, text="What first brought you to organising?", open_now=True)
    answer = voices.submit_answer(
        actor=member,
        question=question,
        body="A leak the landlord ignored for a year.",
        show_name=True,
        show_group=False,
    )
    voices.set_answer_status(actor=editor, answer=answer, status="chosen")

    page = new_page(editor)
    page.goto("/newsletter/manage/")
    axe(page)
    page.get_by_label("Title").fill("The June issue")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The June issue")

    page.get_by_label("Add a section").select_option("text")
    page.get_by_role("button", name="Add section").click()
    first = page.locator(".nl-section-editor").first
    first.get_by_label("Heading").fill("News from the branches")
    first.get_by_label("Text").fill("Tenants in **Leeds** won their repairs.")
    first.get_by_role("button", name="Save section").click()
    expect(page.locator(".nl-section-editor").first.get_by_role("status")).to_have_text("Saved.")

    page.get_by_label("Add a section").select_option("answers")
    page.get_by_role("button", name="Add section").click()
    answers = page.locator(".nl-section-editor").nth(1)
    expect(answers).to_contain_text("A leak the landlord ignored")
    axe(page)

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sending")
    expect(page.locator(".nl-stats")).to_contain_text("3 delivered")
    axe(page)
    assert len(smtp.messages) == 3

    reader = new_page(viewport={"width": 360, "height": 740})
    reader.goto("/newsletter/")
    reader.get_by_role("link", name="The June issue").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("The June issue")
    expect(reader.locator(".nl-answer")).to_contain_text("A leak the landlord ignored for a year.")
    expect(reader.locator(".nl-answer figcaption")).to_contain_text("Mo Member")
    assert reader.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    axe(reader)

    feed = reader.request.get(live_server_asgi.url + "/newsletter/feed.atom")
    assert feed.ok and "<title>The June issue</title>" in feed.text()


def test_a_member_answers_the_question_of_the_month_and_a_visitor_signs_up(editor, member, new_page, axe):
    voices.create_question(actor=editor, text="What should we campaign on next?", open_now=True)
    page = new_page(member, viewport={"width": 360, "height": 740})
    page.goto("/")
    page.get_by_role("link", name="Answer in up to 200 words").click()
    page.get_by_label("Your answer").fill(" ".join(["housing"] * 205))
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer is 205 words long; the limit is 200.")).to_be_visible()
    expect(page.get_by_label("Your answer")).to_have_value(" ".join(["housing"] * 205))
    axe(page)
    page.get_by_label("Your answer").fill("Cheaper, safer homes for everyone.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Thank you: your answer is with the editors.")).to_be_visible()

    visitor = new_page()
    visitor.goto("/newsletter/subscribe/")
    axe(visitor)
    visitor.get_by_label("Your name").fill("Robin")
    visitor.get_by_label("Email address").fill("robin@example.net")
    visitor.get_by_role("button", name="Subscribe").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Check your inbox")


def test_send_progress_is_pushed_live_to_the_editors_page(editor, new_page, axe):
    """Waits on what happens, not on how long it takes (a loaded machine is slow): the page says it follows the
    send's stream, the pushed event reaches the page, and the page then shows the new figures."""
    from django.utils import timezone

    from leveller.newsletter import sending
    from leveller.newsletter.actions import issues as issue_actions
    from leveller.newsletter.models import Delivery
    from tests.newsletter.conftest import make_issue

    issue = issue_actions.publish_issue(actor=editor, issue=make_issue(editor), email=False)
    page = new_page(editor)
    page.add_init_script(
        "window.progressPushes = [];"
        "document.addEventListener('leveller:newsletter.progress', e => window.progressPushes.push(e.detail));"
        "window.refetchedOnPush = 0;"
        "document.addEventListener('htmx:beforeRequest', e => {"
        "  const cause = e.detail.requestConfig && e.detail.requestConfig.triggeringEvent;"
        "  if (cause && cause.type === 'nl-progress') window.refetchedOnPush += 1; });"
    )
    page.goto(f"/newsletter/manage/issues/{issue.pk}/sending/")
    expect(page.locator(".nl-stats")).to_contain_text("0 delivered")
    expect(page.get_by_text("These figures update live.")).to_be_visible(timeout=30_000)  # subscribed to its stream
    subscribers = add_subscribers(2)
    Delivery.objects.bulk_create(
        [Delivery(issue=issue, subscriber=s, state="sent", attempts=1, sent_at=timezone.now()) for s in subscribers]
    )
    pushed = "() => window.progressPushes.some(p => p.sent === 2)"
    for _ in range(30):  # what the sender does every second, until the page has the push
        sending.push_progress(issue.pk)
        try:
            page.wait_for_function(pushed, timeout=1_000)
            break
        except PlaywrightTimeout:
            continue
    assert page.evaluate(pushed), "no progress push reached the page"
    page.wait_for_function("() => window.refetchedOnPush > 0", timeout=30_000)  # the push, not the 15 s poll
    expect(page.locator(".nl-stats")).to_contain_text("2 delivered", timeout=30_000)
