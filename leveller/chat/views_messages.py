"""htmx endpoints for messages: post, fragments, thread pane, edit, delete, react, pin, report, read state."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from leveller.chat import access, fragments, handles, queries
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.models import ThreadFollow
from leveller.core.page_errors import reported


def _row(request, message_id: int, *, in_thread: bool = False, status: int = 200):
    message = queries.message_rows().select_related("thread").filter(pk=message_id).first()
    if message is None:
        return HttpResponse("", status=status)
    return HttpResponse(fragments.row_html(message, in_thread=in_thread), status=status)


@login_required
@require_POST
def post(request, channel_id: int):
    channel = access.get_channel(request.user, channel_id)
    thread_id = request.POST.get("thread_id", "")
    thread = access.get_message(request.user, thread_id) if thread_id.isdigit() else None
    with reported(request, denied=True, flash=not request.htmx) as outcome:
        message = message_actions.send_message(
            actor=request.user,
            channel=channel,
            text=request.POST.get("text", ""),
            thread=thread,
            also_to_channel=request.POST.get("also_to_channel") == "on",
            files=request.FILES.getlist("files"),
        )
    if not outcome.ok and not request.htmx:
        return redirect("chat:channel", channel.pk)
    if not outcome.ok:  # htmx: the refusal shows under the composer (200, so htmx swaps it in)
        response = render(request, "chat/_composer_error.html", {"error": outcome.text}, status=200)
        response["HX-Retarget"] = f"#composer-error-{'t' if thread else 'c'}"
        response["HX-Reswap"] = "innerHTML"
        return response
    if not request.htmx:
        return redirect("chat:jump", message.pk)
    return _row(request, message.pk, in_thread=thread is not None)


@login_required
def row(request, message_id: int):
    message = access.get_message(request.user, message_id)
    return _row(request, message.pk, in_thread=request.GET.get("in_thread") == "1")


@login_required
def thread(request, message_id: int):
    root = access.get_message(request.user, message_id)
    if root.thread_id:
        root = root.thread
    follow = ThreadFollow.objects.filter(thread=root, member=request.user).first()
    root = queries.message_rows().get(pk=root.pk)
    fragments.attach([root], in_thread=True)
    context = {
        "thread": {"root": root, "replies": fragments.attach(queries.thread_messages(root), in_thread=True)},
        "channel": root.channel,
        "following": bool(follow and follow.following),
        "reply_refusal": access.can_post(request.user, root.channel, thread=root),
    }
    return render(request, "chat/_thread.html", context)


@login_required
def edit(request, message_id: int):
    message = access.get_message(request.user, message_id)
    error = None
    if request.method == "POST":
        with reported(request, denied=True, flash=False) as outcome:
            message_actions.edit_message(actor=request.user, message=message, text=request.POST.get("text", ""))
            return _row(request, message.pk, in_thread=request.POST.get("in_thread") == "1")
        error = outcome.text
    elif message.author_id != request.user.pk:
        raise PermissionDenied("You can only edit your own messages.")
    return render(
        request, "chat/_edit.html", {"m": message, "error": error, "in_thread": request.GET.get("in_thread") == "1"}
    )


@login_required
@require_POST
def delete(request, message_id: int):
    message = access.get_message(request.user, message_id)
    with reported(request, denied=True, flash=False) as outcome:
        message_actions.delete_message(actor=request.user, message=message)
    if not outcome.ok:
        return HttpResponse(outcome.text, status=403)
    return _row(request, message_id)


@login_required
@require_POST
def react(request, message_id: int):
    message = access.get_message(request.user, message_id)
    emoji = request.POST.get("emoji", "")
    with reported(request, denied=True, flash=False) as outcome:
        if message.reactions.filter(member=request.user, emoji=emoji.strip()).exists():
            message_actions.remove_reaction(actor=request.user, message=message, emoji=emoji)
        else:
            message_actions.add_reaction(actor=request.user, message=message, emoji=emoji)
    if not outcome.ok:
        return HttpResponse(outcome.text, status=outcome.status)
    return _row(request, message.pk, in_thread=request.POST.get("in_thread") == "1")


@login_required
@require_POST
def pin(request, message_id: int):
    message = access.get_message(request.user, message_id)
    with reported(request, denied=True, flash=False) as outcome:
        if message.pinned_at:
            message_actions.unpin_message(actor=request.user, message=message)
        else:
            message_actions.pin_message(actor=request.user, message=message)
    if not outcome.ok:
        return HttpResponse(outcome.text, status=403)
    return _row(request, message.pk)


@login_required
def report(request, message_id: int):
    message = access.get_message(request.user, message_id)
    error = None
    if request.method == "POST":
        with reported(request, flash=False) as outcome:
            state_actions.report_message(actor=request.user, message=message, reason=request.POST.get("reason", ""))
            return render(request, "chat/_reported.html", {"m": message})
        error = outcome.text
    return render(request, "chat/_report.html", {"m": message, "error": error})


@login_required
@require_POST
def read(request, channel_id: int):
    channel = access.get_channel(request.user, channel_id)
    up_to = request.POST.get("up_to", "")
    state_actions.mark_read(actor=request.user, channel=channel, up_to=int(up_to) if up_to.isdigit() else None)
    return HttpResponse(status=204)


@login_required
@require_POST
def thread_read(request, message_id: int):
    root = access.get_message(request.user, message_id)
    state_actions.mark_thread_read(actor=request.user, thread=root)
    return HttpResponse(status=204)


@login_required
@require_POST
def follow(request, message_id: int):
    root = access.get_message(request.user, message_id)
    if request.POST.get("follow") == "1":
        state_actions.follow_thread(actor=request.user, thread=root)
    else:
        state_actions.unfollow_thread(actor=request.user, thread=root)
    return thread(request, message_id)


@login_required
def revisions(request, message_id: int):
    """Earlier versions of an edited message: moderators only."""
    message = access.get_message(request.user, message_id)
    if not access.is_moderator(request.user):
        raise PermissionDenied("Only staff can see earlier versions.")
    return render(request, "chat/_revisions.html", {"m": message, "revisions": message.revisions.all()})


@login_required
def mentions(request, channel_id: int):
    """The composer's autocomplete after `@`: `?q=sa` -> {"results": [{"handle", "label", "kind"}]}."""
    channel = access.get_channel(request.user, channel_id)
    return JsonResponse({"results": handles.suggestions(request.user, channel, request.GET.get("q", ""))})
