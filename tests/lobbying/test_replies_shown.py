"""What writers answer to the follow-up question ("has your MP replied?") shows on the campaign: to organisers,
the MPs who replied and how many agreed; to the public, the tally of replies. Never who wrote."""

from __future__ import annotations

import pytest

from leveller.lobbying import tokens
from leveller.lobbying.actions import letters
from tests.lobbying.conftest import PERSONAL, SEAT, letter_fields, seat

pytestmark = pytest.mark.django_db


def _answer(client, letter, reply: str) -> None:
    url = tokens.follow_up_url(letter.pk).removeprefix("https://members.example.org")
    assert client.post(url, {"reply": reply}).status_code == 200


def test_an_answered_follow_up_shows_the_mp_who_replied_to_organisers_and_in_the_public_tally(
    client, campaign, writer, organiser, smtp, run_on_commit
):
    with run_on_commit():
        letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    public = client.get(f"/act/{campaign.slug}/").content.decode()
    assert "1</strong> letter sent to 1 MP" in public and "had a reply" not in public
    client.force_login(organiser)
    assert "MPs who replied" not in client.get(f"/lobbying/campaigns/{campaign.slug}/").content.decode()

    client.logout()
    _answer(client, letter, "agreed")

    client.force_login(organiser)
    results = client.get(f"/lobbying/campaigns/{campaign.slug}/").content.decode()
    assert "MPs who replied" in results
    assert f"{seat().mp.name} ({seat().mp.party}, {SEAT}): 1 reply, 1 agreed" in results
    assert PERSONAL not in results and writer.email not in results  # counts, never the letters or writers
    client.logout()
    public = client.get(f"/act/{campaign.slug}/").content.decode()
    assert "writers say 1 has had a reply, 1 agreeing" in public
