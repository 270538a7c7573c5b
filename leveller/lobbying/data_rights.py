"""Lobbying's part of members' data rights: letters are the writer's, and never shown to other members."""

from __future__ import annotations

from leveller.lobbying.models import Campaign, Letter, Signature, Statement
from leveller.privacy.registry import declare, exporter

declare(
    Campaign,
    what="Letter campaigns: the ask, the letter template, targets and dates",
    why="Lobbying MPs",
    basis="Legitimate interests",
    kept="Kept as the organisation's record",
    who="Everyone, once open; organisers and staff while a draft",
)
declare(
    Letter,
    what="Letters to MPs: writer's name, email, address, postcode, constituency, the letter and any reply "
    "(may reveal political opinions)",
    why="Sending a constituent's letter to their MP and following up",
    basis="Consent, recorded on the letter (wording and time)",
    kept="As long as the campaign; deleted on erasure",
    who="The writer; the campaign's organisers and staff",
    special=True,
)
declare(
    Statement,
    what="Joint statements: text and status",
    why="Organisations and people signing a public statement",
    basis="Legitimate interests",
    kept="Kept as the organisation's record",
    who="Everyone, once published",
)
declare(
    Signature,
    what="Signatures: name, role, organisation, logo, and an email for verification only (political opinions)",
    why="Showing who signed a public statement",
    basis="Consent (signing is public by design)",
    kept="As long as the statement; the email is never shown",
    who="Everyone sees verified signatures; staff see the email",
    special=True,
)


@exporter("letters", title="Letters you wrote to MPs", order=75)
def export_letters(member):
    rows = Letter.objects.filter(writer=member).values(
        "campaign__title", "constituency_name", "mp_name", "subject", "body", "state", "created_at", "sent_at", "reply"
    )
    yield from rows.order_by("id").iterator()


@exporter("signatures", title="Statements you signed", order=76)
def export_signatures(member):
    rows = Signature.objects.filter(member=member).values("statement__title", "name", "role", "organisation")
    yield from rows.order_by("id").iterator()
