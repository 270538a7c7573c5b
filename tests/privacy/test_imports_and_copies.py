"""Imports say on what basis and from where; a copy holds the consent recorded about a member's number on a
campaign list, as well as their own."""

from __future__ import annotations

import pytest

from leveller.privacy.actions import consent as consent_actions
from leveller.privacy.actions import erasure as erasure_actions
from leveller.privacy.actions import exports as export_actions
from leveller.privacy.models import ImportRecord
from leveller.privacy.purposes import Purpose
from tests.privacy.conftest import read_zip

pytestmark = pytest.mark.django_db


def test_a_newsletter_import_records_its_basis_source_and_refusals(history, admin):
    from leveller.newsletter.importing import import_subscribers

    erasure_actions.erase_member(actor=None, member=history.bob)
    data = "email,consent_date,source\nnew@example.org,2026-01-02,stall\nbob@example.org,2026-01-02,stall\n"
    report = import_subscribers(actor=admin, data=data, source="2025 conference list")
    assert report.added == 1 and "suppression list" in report.errors[0][1]
    record = ImportRecord.objects.get(kind="newsletter.subscribers")
    assert record.basis == "consent" and record.purposes == ["newsletter"]
    assert "2025 conference list" in record.source
    assert record.rows == 1 and record.refused_suppressed == 1 and record.recorded_by == admin


def test_a_copy_holds_consent_recorded_about_their_number_on_a_campaign_list(history, organiser, run_on_commit):
    mine = history.campaign.contacts.get(phone_e164=history.alice.phone)
    carol = history.campaign.contacts.exclude(pk=mine.pk).get()
    for contact in (mine, carol):
        consent_actions.record_by_hand(
            actor=organiser,
            purpose=Purpose.RESEARCH,
            granted=True,
            method="call",
            contact=contact,
            wording="Invite me to research.",
            source="call on 2 June",
        )
    with run_on_commit():
        export = export_actions.request_export(actor=history.alice, member=history.alice)
    export.refresh_from_db()
    with open(export.path, "rb") as zipped:
        files = read_zip(zipped.read())
    rows = files["consents.json"]
    assert [(r["purpose"], r["as_contact_in_campaign"]) for r in rows] == [
        ("research", None),
        ("research", "Rent survey"),
    ]
    assert rows[1]["source"] == "call on 2 June"
