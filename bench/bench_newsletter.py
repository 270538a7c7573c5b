"""Benchmark the newsletter sender against a raw smtplib loop, both to a local aiosmtpd sink.

    .venv/bin/python bench/bench_newsletter.py            # 50,000 personalised emails
    .venv/bin/python bench/bench_newsletter.py --quick    # 5,000

In one run, on a fresh SQLite database (WAL, as `leveller serve` uses it):
1. the baseline: one smtplib connection, and for each subscriber the same personalised text+HTML message
   (quoted-printable, built by string joins from the issue's snapshot) sent with sendmail() - no database;
2. Leveller: publish the issue (one Delivery row per subscriber) and run the send engine exactly as the worker
   does (`leveller.newsletter.sending.run`): one reused SMTP connection, the Delivery ledger (each row is
   committed "sending" before its SMTP call and "sent" before the next one: one UPDATE per message), progress
   pushes, lease renewals; rate limit off (LEVELLER_NEWSLETTER_RATE=0).
The sink (aiosmtpd in its own process) counts messages per recipient, so duplicates and gaps are caught.
Targets: Leveller >= 0.7x the baseline's messages/second, and 50,000 in under 5 minutes. Writes
bench/results/newsletter.json; exits non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
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

DATA_DIR = ROOT / "var" / "bench-newsletter"
SITE_URL = "https://members.example.org"


def setup_django(port: int) -> None:
    setup_email_django(data_dir=DATA_DIR, smtp_port=port, site_url=SITE_URL, env={"LEVELLER_NEWSLETTER_RATE": "0"})


BODY = """Members across the country have been busy this month. Here is what happened.

- **Tenants in Leeds** won repairs for 40 flats after a six-week campaign. [Read more](/groups/)
- The national committee agreed the new dues structure: pay what you can, from £1 a month.
- Our phonebank reached 12,000 members ahead of the conference vote.

![Members at the rally](/newsletter/pictures/1/rally.jpg)

> “We did it together, and we will do it again.” — a Leeds organiser

Find your local group and get involved: every group meets at least once a month, many online.
"""


def prepare(n: int):
    from django.utils import timezone

    from leveller.accounts.actions import members as accounts
    from leveller.newsletter.actions import issues as issue_actions
    from leveller.newsletter.models import Subscriber

    editor, _ = accounts.add_or_update_member(
        actor=None, email="editor@bench.example", display_name="Bench Editor", roles=["staff", "editor"]
    )
    now = timezone.now()
    batch = []
    for i in range(n):
        batch.append(
            Subscriber(
                email=f"reader{i}@bench.example",
                name=f"Reader{i} Example",
                status="subscribed",
                consent_at=now,
                consent_source="bench",
            )
        )
    Subscriber.objects.bulk_create(batch, batch_size=2000)
    issue = issue_actions.create_issue(
        actor=editor,
        title="The November issue",
        summary="Wins in Leeds, new dues, and your answers on organising at work.",
        sections=[
            {"heading": "News round-up", "body": BODY, "kind": "roundup"},
            {"heading": "From the general secretary", "body": BODY},
            {"heading": "Group spotlight: Leeds tenants", "body": BODY, "kind": "spotlight"},
        ],
    )
    issue_actions.publish_issue(actor=editor, issue=issue)
    issue.refresh_from_db()
    return issue


def baseline(issue, n: int, port: int) -> float:
    """A raw smtplib loop on one reused connection: per recipient, the same personalised text+HTML message
    (greeting, unsubscribe link and headers filled into the issue's snapshot, quoted-printable parts) built with
    plain string joins and sent with sendmail(). No database, no bookkeeping: the fastest honest loop."""
    import binascii
    import smtplib
    from email.utils import formatdate, make_msgid
    from html import escape

    from leveller.newsletter.emails import NAME, UNSUBSCRIBE
    from leveller.newsletter.tokens import unsubscribe_url

    def qp(text: str) -> bytes:
        return binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")

    html_parts = [p.split(UNSUBSCRIBE) for p in issue.email_html.split(NAME)]
    text_parts = [p.split(UNSUBSCRIBE) for p in issue.email_text.split(NAME)]
    head = (
        f"From: Leveller <noreply@localhost>\r\nSubject: {issue.email_subject}\r\nMIME-Version: 1.0\r\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        'Content-Type: multipart/alternative; boundary="b0undary"\r\n'
    ).encode()
    start = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for i in range(n):
        email, first = f"reader{i}@bench.example", f"Reader{i}"
        link = unsubscribe_url(i + 1)
        text = first.join(link.join(chunk) for chunk in text_parts)
        html = escape(first).join(escape(link).join(chunk) for chunk in html_parts)
        data = b"".join(
            (
                head,
                f"To: {email}\r\nDate: {formatdate()}\r\nMessage-ID: {make_msgid(domain='members.example.org')}\r\n"
                f"List-Unsubscribe: <{link}>\r\n\r\n--b0undary\r\n".encode(),
                b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
                qp(text),
                b"\r\n--b0undary\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                qp(html),
                b"\r\n--b0undary--\r\n",
            )
        )
        smtp.sendmail("noreply@localhost", [email], data)
    smtp.quit()
    return time.perf_counter() - start


def leveller_send(issue) -> tuple[float, object]:
    from leveller.newsletter import sending

    start = time.perf_counter()
    report = sending.run(issue.pk)
    return time.perf_counter() - start, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5,000 emails instead of 50,000")
    parser.add_argument("-n", type=int, default=None, help="number of emails")
    args = parser.parse_args()
    n = args.n or (5_000 if args.quick else 50_000)

    sink = Sink()
    try:
        setup_django(sink.port)
        issue = prepare(n)
        from leveller.newsletter.models import Delivery

        base_seconds = baseline(issue, n, sink.port)
        base_counts = sink.ask("count")
        sink.ask("reset")
        ours_seconds, report = leveller_send(issue)
        ours_counts = sink.ask("count")
        states = dict(Delivery.objects.values_list("state").annotate(**_count()).order_by())
    finally:
        sink.stop()

    base_rate, ours_rate = n / base_seconds, n / ours_seconds
    ratio = ours_rate / base_rate
    projected_50k = 50_000 / ours_rate
    exactly_once = (
        ours_counts["messages"] == n and len(ours_counts["recipients"]) == n and ours_counts["duplicates"] == 0
    )
    targets = {
        "ratio_at_least_0.7": ratio >= 0.7,
        "50000_under_300_s": projected_50k < 300,
        "exactly_one_copy_each": exactly_once and states.get("sent") == n,
    }
    result = {
        "benchmark": "newsletter",
        "command": " ".join([".venv/bin/python", "bench/bench_newsletter.py", *sys.argv[1:]]),
        "emails": n,
        "baseline": {
            "what": "raw smtplib loop, one reused connection, same personalised text+HTML MIME via string joins, no database",
            "seconds": round(base_seconds, 2),
            "per_second": round(base_rate, 1),
            "sink": base_counts,
        },
        "leveller": {
            "what": "leveller.newsletter.sending.run: Delivery ledger (claim + previous result in 1 commit/message), lease, progress pushes, one reused connection",
            "seconds": round(ours_seconds, 2),
            "per_second": round(ours_rate, 1),
            "sink": ours_counts,
            "delivery_states": states,
            "report": {"sent": report.sent, "bounced": report.bounced, "retrying": report.retrying},
        },
        "ratio": round(ratio, 3),
        "projected_seconds_for_50000": round(projected_50k, 1),
        "targets": targets,
        "passed": all(targets.values()),
        "machine": {**machine(), "database": "SQLite (WAL)", "load_average_at_end": os.getloadavg()},
    }
    out = ROOT / "bench" / "results" / "newsletter.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"newsletter: {n} emails. baseline {base_rate:,.0f}/s ({base_seconds:.1f} s); "
        f"leveller {ours_rate:,.0f}/s ({ours_seconds:.1f} s); ratio {ratio:.2f} (target 0.7); "
        f"50,000 in {projected_50k:.0f} s (target 300); exactly once: {exactly_once}. "
        f"{'PASS' if result['passed'] else 'FAIL'} -> {out.relative_to(ROOT)}"
    )
    return 0 if result["passed"] else 1


def _count():
    from django.db.models import Count

    return {"n": Count("id")}


if __name__ == "__main__":
    sys.exit(main())
