"""Benchmark the vote reminder (to every member of the electorate who has not voted) against a raw smtplib loop,
both to a local aiosmtpd sink.

    .venv/bin/python bench/bench_vote_reminder.py            # a 20,000-member electorate, half voted
    .venv/bin/python bench/bench_vote_reminder.py --quick    # 2,000

In one run, on a fresh SQLite database (WAL, as `leveller serve` uses it):
1. the baseline: one smtplib connection sending, to each non-voter (a list known in advance - no database),
   the same plain-text reminder with the same headers (List-Unsubscribe, List-Unsubscribe-Post, List-Id,
   Message-ID), built with string formatting;
2. Leveller: `notify.send_reminder(election)` exactly as the queued task runs it: claim the reminder, work out
   the electorate minus the voter roll in SQL, render the templates per member, sign the unsubscribe link, and
   send through Django's SMTP backend on one connection in batches.
The sink (aiosmtpd in its own process) records every recipient, so the bench checks the reminder reached
exactly the non-voters, once each, and no voter. Targets: exactly the non-voters, and 10,000 reminders in
under 300 s. Writes bench/results/vote_reminder.json; exits non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from support import SmtpSink as Sink  # noqa: E402
from support import machine, setup_email_django  # noqa: E402

DATA_DIR = ROOT / "var" / "bench-vote-reminder"
SITE_URL = "https://members.example.org"


def setup_django(port: int) -> None:
    setup_email_django(data_dir=DATA_DIR, smtp_port=port, site_url=SITE_URL)


def prepare(n: int):
    """n members in the electorate; every second one has voted (a roll row, as cast_ballot writes it)."""
    from django.utils import timezone

    from leveller.accounts.actions import members as accounts
    from leveller.accounts.models import Member
    from leveller.elections.actions import setup as setup_actions
    from leveller.elections.actions import transitions as transition_actions
    from leveller.elections.models import VoterRoll

    staff, _ = accounts.add_or_update_member(
        actor=None, email="staff@bench.example", display_name="Bench Staff", roles=["staff"]
    )
    joined = dt.date(2020, 1, 1)
    Member.objects.bulk_create(
        [
            Member(email=f"member{i}@bench.example", display_name=f"Member{i} Example", joined_on=joined)
            for i in range(n)
        ],
        batch_size=2000,
    )
    election = setup_actions.create_election(
        actor=staff,
        title="National Committee election",
        kind="motion",
        freeze_date=dt.date(2024, 1, 1),
        voting_closes_at=timezone.now() + dt.timedelta(hours=30),
    )
    transition_actions.open_voting(actor=staff, election=election)
    voted = Member.objects.filter(email__endswith="@bench.example", email__startswith="member").order_by("pk")[::2]
    VoterRoll.objects.bulk_create([VoterRoll(election=election, member=m) for m in voted], batch_size=2000)
    non_voters = sorted(
        Member.objects.filter(email__startswith="member")
        .exclude(pk__in=[m.pk for m in voted])
        .values_list("email", flat=True)
    )
    return election, non_voters, {m.email for m in voted}


def baseline(election, recipients: list[str], port: int) -> float:
    """A raw smtplib loop on one connection: the same text and headers per recipient, no database."""
    import smtplib
    from email.utils import formatdate, make_msgid

    from leveller.elections.notify import unsubscribe_url

    body = (
        "Hello {name},\r\n\r\nVoting in {title} closes on {close}. If you want a say, there is still time:\r\n\r\n"
        "{site}/votes/{pk}/ballot/\r\n\r\n--\r\nTo stop reminders before votes close, unsubscribe: {link}\r\n"
    )
    close = f"{election.voting_closes_at:%-d %B %Y, %H:%M}"
    start = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for i, email in enumerate(recipients):
        link = unsubscribe_url(i + 1, "reminder")
        data = (
            f"From: Leveller <noreply@localhost>\r\nTo: {email}\r\nSubject: Voting closes soon: {election.title}\r\n"
            f"Date: {formatdate()}\r\nMessage-ID: {make_msgid(domain='members.example.org')}\r\n"
            f"List-Unsubscribe: <{link}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            "List-Id: Leveller votes <votes-reminder.members.example.org>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            + body.format(name=email, title=election.title, close=close, site=SITE_URL, pk=election.pk, link=link)
        )
        smtp.sendmail("noreply@localhost", [email], data.encode())
    smtp.quit()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a 2,000-member electorate instead of 20,000")
    parser.add_argument("-n", type=int, default=None, help="members in the electorate")
    args = parser.parse_args()
    n = args.n or (2_000 if args.quick else 20_000)

    sink = Sink()
    try:
        setup_django(sink.port)
        election, non_voters, voters = prepare(n)
        from leveller.elections import notify

        base_seconds = baseline(election, non_voters, sink.port)
        base_counts = sink.ask("count")
        sink.ask("reset")
        start = time.perf_counter()
        sent = notify.send_reminder(election)
        ours_seconds = time.perf_counter() - start
        ours_counts = sink.ask("count")
    finally:
        sink.stop()

    reached = set(ours_counts["recipients"])
    exact = reached == set(non_voters) and ours_counts["duplicates"] == 0 and not reached & voters
    m = len(non_voters)
    base_rate, ours_rate = m / base_seconds, m / ours_seconds
    projected_10k = 10_000 / ours_rate
    targets = {"exactly_the_non_voters": exact and sent == m, "10000_under_300_s": projected_10k < 300}
    result = {
        "benchmark": "vote_reminder",
        "command": " ".join([".venv/bin/python", "bench/bench_vote_reminder.py", *sys.argv[1:]]),
        "electorate": n,
        "voted": len(voters),
        "reminders": m,
        "baseline": {
            "what": "raw smtplib loop, one connection, same text and headers, recipients known in advance, no database",
            "seconds": round(base_seconds, 2),
            "per_second": round(base_rate, 1),
            "messages": base_counts["messages"],
        },
        "leveller": {
            "what": "notify.send_reminder: claim, electorate minus voter roll in SQL, templates, signed links, "
            "Django SMTP backend, one connection, batches of 200",
            "seconds": round(ours_seconds, 2),
            "per_second": round(ours_rate, 1),
            "messages": ours_counts["messages"],
            "duplicates": ours_counts["duplicates"],
            "voters_reached": len(reached & voters),
        },
        "ratio_leveller_to_baseline": round(ours_rate / base_rate, 3),
        "projected_seconds_for_10000": round(projected_10k, 1),
        "targets": targets,
        "load_average": os.getloadavg(),
        "machine": machine(),
        "note": "the machine is shared with other sessions; the load average is recorded beside the result",
    }
    out = ROOT / "bench" / "results" / ("vote_reminder_quick.json" if args.quick else "vote_reminder.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
