"""A caller works through three contacts while an organiser's dashboard updates live (two browsers)."""

from __future__ import annotations

import pytest

from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions
from leveller.phonebank.models import Contact
from tests.phonebank.conftest import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.timeout(120)
def test_a_caller_calls_three_contacts_and_the_organisers_dashboard_follows_live(new_page, organiser, member, axe):
    from playwright.sync_api import expect

    hours = {"calling_start": "00:00", "calling_end": "23:59", "call_on_sundays": True}
    campaign = call_actions.create_campaign(
        actor=organiser,
        name="Eviction watch",
        status="live",
        script="Hi {first_name}, it's the union.",
        **hours,
        questions=[
            {"id": "attend", "text": "Will you come on Saturday?", "kind": "single_choice", "choices": ["Yes", "No"]}
        ],
    )
    people = [("Ada One", "+447400000001", ""), ("Bea Two", "+447400000002", ""), ("Cai Three", "+12125550123", "")]
    contact_actions.upload_contacts(actor=organiser, campaign=campaign, data=csv_bytes(people))
    other = call_actions.create_campaign(actor=organiser, name="Another drive", status="live", **hours)
    contact_actions.upload_contacts(actor=organiser, campaign=other, data=csv_bytes(people))

    dashboard = new_page(organiser)
    dashboard.goto(f"/phonebank/{campaign.pk}/dashboard/")
    expect(dashboard.locator('[data-stat="contacts"]')).to_have_text("3")
    expect(dashboard.locator("html[data-realtime='open']")).to_have_count(1, timeout=30_000)  # its socket is open
    axe(dashboard)

    caller = new_page(member, viewport={"width": 360, "height": 740})
    caller.goto(f"/phonebank/{campaign.pk}/")
    caller.get_by_role("button", name="Start calling").click()
    expect(caller.get_by_role("heading", level=1)).to_be_visible()
    link = caller.get_by_role("link", name="Call +")
    assert (link.get_attribute("href") or "").startswith("tel:+")
    axe(caller)
    seen = []

    # 1: answered, with the survey
    seen.append(caller.get_by_role("heading", level=1).inner_text())
    caller.get_by_label("Yes").check()
    caller.get_by_role("button", name="Answered").click()
    expect(caller.get_by_text("Saved: answered.")).to_be_visible()
    expect(dashboard.locator('[data-answer="attend:Yes"]')).to_have_text("1")
    # 2: no answer
    seen.append(caller.get_by_role("heading", level=1).inner_text())
    assert seen[1] != seen[0]
    caller.get_by_role("button", name="No answer").click()
    expect(caller.get_by_text("Saved: no answer.")).to_be_visible()
    # 3: do not call
    seen.append(caller.get_by_role("heading", level=1).inner_text())
    dnc_phone = Contact.objects.get(campaign=campaign, name=seen[2]).phone_e164
    caller.get_by_role("button", name="Do not call").click()
    expect(caller.get_by_text("Nobody can be called right now")).to_be_visible()

    expect(dashboard.locator('[data-stat="calls"]')).to_have_text("3")
    expect(dashboard.locator('[data-outcome="do_not_call"]')).to_have_text("1")
    expect(dashboard.locator('[data-stat="reached"]')).to_have_text("2")

    # The do-not-call number never comes back, in this campaign or any other.
    served = set()
    other.refresh_from_db()
    campaign.refresh_from_db()
    while (call := call_actions.next_contact(actor=member, campaign=other)) is not None:
        served.add(call.contact.phone_e164)
        call_actions.record_outcome(actor=member, call=call, outcome="refused")
    assert dnc_phone not in served and len(served) == 2
    assert call_actions.next_contact(actor=member, campaign=campaign) is None
