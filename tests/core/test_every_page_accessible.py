"""Every page a member, an admin and a visitor can reach by following links from the home page passes axe's
WCAG 2.2 AA rules (no serious or critical violations), in light and in dark mode, on a 1280x800 desktop and on
a 360x740 touch phone (issue #16, "Reach").

The demo workspace is the data: it fills every app with realistic rows, so the crawl meets full lists, long
names, results, threads and empty states alike. The crawl follows same-origin GET links (`<a href>`) only,
never forms, and skips logout, downloads, feeds, files, tokens in emailed links and anything outside the
pages (API, static, media, Django's admin). On the desktop it visits one page per URL pattern and set of query
parameters, so /events/1/ and /events/2/ count once; on the phone, to keep the run short, one page per URL
pattern (/events/ once, not again for ?period=week: the same template). The phone crawl follows the links it
finds at that size, so what a phone hides or moves (the navigation drawer) is crawled as a phone shows it. The
403, 404 and login pages are checked as well, and the crawl also starts from a few pages members reach through a
GET form or a button (search results, two-factor set-up).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from leveller.core.demoload import DEMO_LOGINS

# Each screen is about 300 page loads (~155 pages on the desktop, ~140 on the phone, light and dark): two and a
# half to four and a half minutes each, as busy as the machine is; the timeout leaves room for a busier one.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_22_AA},
    # axe ships target-size (WCAG 2.5.8, AA in 2.2) switched off; 2.2 AA means it is on.
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
IMPACTS = {"serious", "critical"}
MAX_PAGES = 200  # per persona: a bound, far above the number of URL patterns a persona can reach

SKIPPED_PREFIXES = ("/api/", "/static/", "/media/", "/django-admin/")
SKIPPED_VIEWS = {
    # not pages
    "accounts:logout",
    "core:healthz",
    "core:ping",
    "core:manifest",
    "core:service_worker",
    "chat:webhook",
    # downloads, feeds and files
    "chat:attachment",
    "elections:download_blt",
    "elections:download_receipts",
    "elections:download_result",
    "events:ics",
    "events:feed",
    "lobbying:logo",
    "lobbying:results_csv",
    "newsletter:feed",
    "newsletter:image",
    "phonebank:export",
    "privacy:download",
    # emailed links whose GET acts on a token (confirming, unsubscribing, accepting)
    "accounts:accept_invitation",
    "accounts:confirm_email",
    "accounts:password_reset_confirm",
    "elections:unsubscribe",
    "lobbying:confirm",
    "lobbying:follow_up",
    "newsletter:confirm",
    "newsletter:unsubscribe",
    "privacy:rejoin",
}

# Pages behind a GET form or a button rather than a link, where the crawl starts as well as at home.
MEMBER_STARTS = ("/", "/chat/search/?q=rent", "/lobbying/letters/", "/settings/two-factor/setup/", "/offline")

# (URL pattern name, axe rule id) pairs known to fail, each with the reason it is not fixed yet. Keep it empty:
# an entry here is a debt, to be paid by fixing the page and deleting the line.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Screen:
    name: str
    viewport: dict[str, int]
    touch: bool
    by_query: bool  # one page per URL pattern and set of query parameters (else per URL pattern)


DESKTOP = Screen("1280x800", {"width": 1280, "height": 800}, touch=False, by_query=True)
PHONE = Screen("360x740", {"width": 360, "height": 740}, touch=True, by_query=False)


@dataclass
class Report:
    violations: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)


def pattern_key(url: str, origin: str, *, by_query: bool = True) -> tuple[str, tuple[str, ...]] | None:
    """The URL pattern name and (by_query) query parameter names a same-origin page URL resolves to, or None to
    skip it."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith(SKIPPED_PREFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if not match.view_name or match.view_name in SKIPPED_VIEWS:
        return None
    if not by_query:
        return match.view_name, ()
    params = sorted({pair.partition("=")[0] for pair in parts.query.split("&") if pair})
    return match.view_name, tuple(params)


def check(page, scheme: str, report: Report, screen: Screen) -> None:
    """Run axe on the page as it is now; record every serious or critical violation not on the allow-list."""
    from axe_playwright_python.sync_playwright import Axe

    view_name = view_name_of(page.url)
    results = Axe().run(page, options=AXE_OPTIONS)
    for violation in results.response["violations"]:
        if violation.get("impact") not in IMPACTS or (view_name, violation["id"]) in KNOWN_FAILURES:
            continue
        for node in violation["nodes"]:
            report.violations.append(
                f"{page.url} [{screen.name} {scheme}] {violation['id']} ({violation['impact']}) at {', '.join(node['target'])}"
            )


def view_name_of(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return "404"


def visit(page, url: str, report: Report, *, expect: int | None = None) -> bool:
    """Open the page and wait for the fragments htmx loads with it; False (and a note) when it did not answer."""
    response = page.goto(url, wait_until="load")
    page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=15_000)
    status = response.status if response else 0
    if (expect is not None and status != expect) or (expect is None and status >= 400):
        report.broken.append(f"{url} -> {status}")
        return False
    return True


def links_on(page) -> list[str]:
    return page.eval_on_selector_all(
        "a[href]", "links => links.filter(a => !a.hasAttribute('download')).map(a => a.href.split('#')[0])"
    )


def crawl(page, origin: str, report: Report, screen: Screen, *, start: Iterable[str]) -> list[str]:
    """Breadth first from `start`, one page per pattern key, checking each in light mode; the pages visited."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    queue = deque(origin + path for path in start)
    pages: list[str] = []
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        key = pattern_key(url, origin, by_query=screen.by_query)
        if key is None or key in seen:
            continue
        seen.add(key)
        if not visit(page, url, report):
            continue
        landed = pattern_key(page.url, origin, by_query=screen.by_query)  # after redirects
        if landed is not None and landed != key:
            if landed in seen:
                continue
            seen.add(landed)
        pages.append(url)
        check(page, "light", report, screen)
        queue.extend(links_on(page))
    return pages


def open_page(new_page: Callable, member, scheme: str, screen: Screen):
    page = new_page(member, viewport=screen.viewport, has_touch=screen.touch, is_mobile=screen.touch)
    page.set_default_timeout(30_000)  # generous: the machine may be busy
    page.emulate_media(color_scheme=scheme)
    return page


def check_persona(
    new_page: Callable, origin: str, report: Report, screen: Screen, *, member=None, start=("/",), extra=()
) -> None:
    light = open_page(new_page, member, "light", screen)
    pages = crawl(light, origin, report, screen, start=start)
    dark = open_page(new_page, member, "dark", screen)
    for url in pages:
        if visit(dark, url, report):
            check(dark, "dark", report, screen)
    for path, status in extra:
        for page, scheme in ((light, "light"), (dark, "dark")):
            if visit(page, origin + path, report, expect=status):
                check(page, scheme, report, screen)
    report.visited.extend(pages)


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
def test_every_page_reachable_by_link_passes_axe_in_light_and_dark(new_page, live_server_asgi, screen):
    from leveller.accounts.actions import two_factor as two_factor_actions
    from leveller.accounts.models import Member

    call_command("demo", verbosity=0)
    logins = dict(DEMO_LOGINS)
    member = Member.objects.get(email=logins["member"])
    two_factor_actions.start_enrolment(actor=member)  # the set-up page, with its QR code, is a page too
    origin = live_server_asgi.url
    report = Report()

    check_persona(new_page, origin, report, screen, start=("/login/",), extra=[("/no/such/page/", 404)])
    check_persona(
        new_page,
        origin,
        report,
        screen,
        member=member,
        start=MEMBER_STARTS,
        extra=[("/manage/members/", 403), ("/no/such/page/", 404)],
    )
    check_persona(new_page, origin, report, screen, member=Member.objects.get(email=logins["admin"]))

    print(f"{screen.name}: {len(report.visited)} pages crawled, each in light and dark")
    assert len(report.visited) > 40, report.visited  # the crawl really went round the site
    assert {origin + path for path in MEMBER_STARTS} <= set(report.visited), report.visited
    problems = [*(f"broken link: {line}" for line in report.broken), *report.violations]
    assert not problems, f"{len(problems)} problems on {len(report.visited)} pages:\n" + "\n".join(problems)
