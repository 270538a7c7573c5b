"""Chat pages: the three-pane channel view, browse, DMs, threads, search, notifications, preferences."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from leveller.accounts.models import Member
from leveller.chat import access, fragments, queries
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.handles import profile_for
from leveller.chat.models import Attachment, Channel, ChannelMembership, Kind, Level
from leveller.chat.search import search_page
from leveller.core import page_cache
from leveller.core.page_errors import reported
from leveller.realtime.consumer import latest_event_id


def layout_context(request, channel: Channel | None = None) -> dict:
    member = request.user
    unread_threads = queries.unread_thread_ids(member)
    return {
        "sections": queries.sidebar_sections(member),
        "unread_threads": len(unread_threads),
        "unread_thread_ids": unread_threads,
        "chat_handle": queries.handle_of(member),
        "unread_notifications": member.chat_notifications.filter(read_at__isnull=True).count(),
        "current": channel,
    }


@login_required
def index(request):
    first = Channel.objects.filter(memberships__member=request.user, kind=Kind.STANDARD).order_by("name").first()
    welcome = queries.welcome_channel()
    target = welcome if welcome and access.can_read(request.user, welcome) else first
    if target is None:
        return redirect("chat:browse")
    return redirect("chat:channel", target.pk)


@login_required
def channel_view(request, channel_id: int):
    """The channel page. Cached per session for a few seconds (core.page_cache); it names the event it was
    rendered at, and the realtime client replays everything since, so even a cached page opens up to date."""
    channel = access.get_channel(request.user, channel_id)
    return page_cache.cached(request, f"chat-channel-{channel.pk}", lambda: _channel_page(request, channel))


def _channel_page(request, channel: Channel):
    member = request.user
    rendered_at = latest_event_id()  # before reading anything the page shows
    membership = ChannelMembership.objects.filter(channel=channel, member=member).first()
    around = request.GET.get("around")
    if around and around.isdigit():
        rows = queries.around(channel, int(around))
        has_older = bool(rows) and channel.messages.in_channel_view().filter(id__lt=rows[0].pk).exists()
    else:
        rows, has_older = queries.latest_page(channel)
    fragments.attach(rows)
    is_member = membership is not None
    context = {
        **layout_context(request, channel),
        "channel": channel,
        "membership": membership,
        "rows": rows,
        "has_older": has_older,
        "has_newer": bool(around)
        and bool(rows)
        and channel.messages.in_channel_view().filter(id__gt=rows[-1].pk).exists(),
        "new_line_before": _first_unread(rows, membership, member),
        "post_refusal": access.can_post(member, channel, is_member=is_member),
        "reply_refusal": access.can_post(member, channel, thread=True, is_member=is_member),
        "can_manage": access.can_manage(member, channel),
        "pinned": channel.messages.filter(pinned_at__isnull=False, deleted_at__isnull=True).order_by("-pinned_at")[:10],
        "highlight": int(around) if around and around.isdigit() else None,
        "show_intro_prompt": channel.name == "welcome"
        and channel.kind == Kind.STANDARD
        and not queries.has_introduced(member),
        "greet": queries.joiners_to_greet(member) if channel.name == "welcome" else [],
        "dm_members": channel.memberships.select_related("member") if channel.is_dm else [],
        "levels": Level.choices,
        "thread": _open_thread(member, channel, request.GET.get("thread")),
        "rendered_at_event": rendered_at,
    }
    return render(request, "chat/channel.html", context)


def _first_unread(rows, membership, member) -> int | None:
    if membership is None:
        return None
    for row in rows:
        if row.pk > membership.last_read_id and row.author_id != member.pk:
            return row.pk
    return None


def _open_thread(member, channel: Channel, thread_id: str | None):
    if not thread_id or not thread_id.isdigit():
        return None
    root = queries.message_rows().filter(pk=int(thread_id), channel=channel, thread__isnull=True).first()
    if root is None:
        return None
    fragments.attach([root], in_thread=True)
    return {"root": root, "replies": fragments.attach(queries.thread_messages(root), in_thread=True)}


@login_required
def history(request, channel_id: int):
    """Older (before=ID) or newer (after=ID) messages as a fragment: infinite scroll to the first message."""
    channel = access.get_channel(request.user, channel_id)
    before, after = request.GET.get("before"), request.GET.get("after")
    if after and after.isdigit():
        rows = fragments.attach(queries.channel_page(channel, after=int(after)))
        more = bool(rows) and channel.messages.in_channel_view().filter(id__gt=rows[-1].pk).exists()
        return render(request, "chat/_history_newer.html", {"rows": rows, "channel": channel, "has_newer": more})
    rows = fragments.attach(queries.channel_page(channel, before=int(before) if before and before.isdigit() else None))
    more = bool(rows) and channel.messages.in_channel_view().filter(id__lt=rows[0].pk).exists()
    return render(request, "chat/_history.html", {"rows": rows, "channel": channel, "has_older": more})


@login_required
def sidebar(request):
    channel = None
    current = request.GET.get("current")
    if current and current.isdigit():
        channel = Channel.objects.filter(pk=int(current)).first()
    return render(request, "chat/_sidebar.html", layout_context(request, channel))


@login_required
def browse(request):
    member = request.user
    query = request.GET.get("q", "").strip()
    rows = Channel.objects.readable_by(member).filter(kind=Kind.STANDARD)
    if not request.GET.get("archived"):
        rows = rows.filter(archived_at__isnull=True)
    if query:
        rows = rows.filter(name__icontains=query.lstrip("#")) | rows.filter(purpose__icontains=query)
    mine = set(ChannelMembership.objects.filter(member=member).values_list("channel_id", flat=True))
    return render(
        request,
        "chat/browse.html",
        {**layout_context(request), "channels": rows.order_by("name")[:500], "mine": mine, "query": query},
    )


@login_required
def create(request):
    error = None
    if request.method == "POST":
        with reported(request, denied=True, flash=False) as outcome:
            channel = channel_actions.create_channel(
                actor=request.user,
                name=request.POST.get("name", ""),
                private=request.POST.get("private") == "on",
                purpose=request.POST.get("purpose", ""),
                section=request.POST.get("section", "discussion"),
            )
            return redirect("chat:channel", channel.pk)
        error = outcome.text
    return render(request, "chat/create.html", {**layout_context(request), "error": error, "form": request.POST})


@login_required
@require_POST
def join(request, channel_id: int):
    channel = access.get_channel(request.user, channel_id)
    with reported(request, denied=True):
        channel_actions.add_channel_member(actor=request.user, channel=channel, member=request.user)
    return redirect("chat:channel", channel.pk)


@login_required
@require_POST
def leave(request, channel_id: int):
    channel = access.get_channel(request.user, channel_id)
    with reported(request, denied=True) as outcome:
        channel_actions.remove_channel_member(actor=request.user, channel=channel, member=request.user)
        flash.success(request, f"You left {channel}.")
    if not outcome.ok:
        return redirect("chat:channel", channel.pk)
    return redirect("chat:index")


@login_required
def new_dm(request):
    error = None
    members = Member.objects.active().exclude(pk=request.user.pk)
    query = request.GET.get("q", "").strip()
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("members") if i.isdigit()]
        people = list(members.filter(pk__in=ids))
        with reported(request, flash=False) as outcome:
            channel = channel_actions.open_dm(actor=request.user, members=people)
            return redirect("chat:channel", channel.pk)
        error = outcome.text
    shown = members.search_names(query)[:50] if query else members[:50]
    return render(
        request, "chat/new_dm.html", {**layout_context(request), "people": shown, "error": error, "query": query}
    )


@login_required
def threads(request):
    rows = queries.followed_threads(request.user)
    return render(request, "chat/threads.html", {**layout_context(request), "threads": rows})


@login_required
def search(request):
    """Search results, newest first, 50 at a time; "Load more results" (?cursor=) appends the next page."""
    text = request.GET.get("q", "")
    cursor = request.GET.get("cursor", "")
    cursor = int(cursor) if cursor.isascii() and cursor.isdigit() and len(cursor) < 19 else None
    page = search_page(request.user, text, cursor=cursor) if text.strip() else None
    context = {
        "q": text,
        "query": page.query if page else None,
        "results": page.results if page else [],
        "next": page.next if page else None,
        "cursor": cursor,
    }
    if request.htmx and cursor is not None:
        return render(request, "chat/_search_results.html", context)
    return render(request, "chat/search.html", {**layout_context(request), **context})


@login_required
def notifications(request):
    rows = queries.notifications(request.user)
    return render(request, "chat/notifications.html", {**layout_context(request), "notifications": rows})


@login_required
def preferences(request):
    profile = profile_for(request.user)
    if request.method == "POST":
        state_actions.set_email_preference(
            actor=request.user, email_mentions=request.POST.get("email_mentions") == "on"
        )
        state_actions.set_presence_preference(actor=request.user, appear_away=request.POST.get("appear_away") == "on")
        flash.success(request, "Saved your chat preferences.")
        return redirect("chat:preferences")
    return render(request, "chat/preferences.html", {**layout_context(request), "profile": profile})


@login_required
def jump(request, message_id: int):
    """Open a message in context: its channel around it, with its thread open when it is a reply."""
    message = access.get_message(request.user, message_id)
    url = reverse("chat:channel", args=[message.channel_id])
    if message.thread_id and not message.also_in_channel:
        return redirect(f"{url}?around={message.thread_id}&thread={message.thread_id}#m-{message.pk}")
    return redirect(f"{url}?around={message.pk}#m-{message.pk}")


@login_required
def attachment(request, token: str, name: str):
    """Files are served only to members who can read the channel, never from a public /media URL."""
    row = get_object_or_404(Attachment.objects.select_related("message__channel"), token=token)
    if not access.can_read(request.user, row.message.channel) or row.message.deleted_at:
        raise Http404("No such file.")
    response = FileResponse(
        row.file.open("rb"), content_type=row.content_type, as_attachment=not row.is_image, filename=row.name
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
