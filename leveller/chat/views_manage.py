"""Channel settings (topic, purpose, section, archive, members, webhooks, notification level), moderation,
and the incoming webhook endpoint."""

from __future__ import annotations

import json

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from leveller.accounts.actions import members as member_actions
from leveller.accounts.models import Member, hash_secret
from leveller.chat import access, presence
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.models import SECTIONS, Level, Report, Webhook
from leveller.chat.views import layout_context
from leveller.core.page_errors import reported


@login_required
def settings_view(request, channel_id: int):
    member = request.user
    channel = access.get_channel(member, channel_id)
    secret = None
    if request.method == "POST":
        action = request.POST.get("action")
        with reported(request, denied=True):
            if action == "details":
                fields = {k: request.POST.get(k, "") for k in ("topic", "purpose", "section") if k in request.POST}
                if "name" in request.POST and request.POST["name"] != channel.name:
                    fields["name"] = request.POST["name"]
                channel_actions.update_channel(actor=member, channel=channel, **fields)
            elif action in {"archive", "unarchive"}:
                channel_actions.set_archived(actor=member, channel=channel, archived=action == "archive")
            elif action == "add_member":
                target = Member.objects.active().filter(pk=request.POST.get("member_id") or 0).first()
                if target is None:
                    raise ValidationError("Choose a member to add.")
                channel_actions.add_channel_member(actor=member, channel=channel, member=target)
            elif action == "remove_member":
                target = get_object_or_404(Member, pk=request.POST.get("member_id") or 0)
                channel_actions.remove_channel_member(actor=member, channel=channel, member=target)
            elif action == "level":
                state_actions.set_notification_level(actor=member, channel=channel, level=request.POST.get("level", ""))
            elif action == "my_section":
                channel_actions.set_my_section(actor=member, channel=channel, section=request.POST.get("section", ""))
            elif action == "webhook":
                _, secret = channel_actions.create_webhook(
                    actor=member, channel=channel, name=request.POST.get("name", "")
                )
            elif action == "revoke_webhook":
                hook = get_object_or_404(Webhook, pk=request.POST.get("webhook_id") or 0, channel=channel)
                channel_actions.revoke_webhook(actor=member, webhook=hook)
            if secret is None:
                flash.success(request, "Saved.")
                return redirect("chat:settings", channel.pk)
    manage = access.can_manage(member, channel)
    membership = channel.memberships.filter(member=member).first()
    member_rows = list(channel.memberships.select_related("member").order_by("member__display_name")[:500])
    if membership is not None:  # presence shows only to those who share the channel
        active = presence.active_ids({row.member_id for row in member_rows})
        for row in member_rows:
            row.active = row.member_id in active
    context = {
        **layout_context(request, channel),
        "channel": channel,
        "membership": membership,
        "manage": manage,
        "members": member_rows,
        "candidates": Member.objects.active().exclude(chat_memberships__channel=channel)[:200] if manage else [],
        "webhooks": channel.webhooks.filter(revoked_at__isnull=True) if manage else [],
        "secret": secret,
        "hook_url": request.build_absolute_uri(f"/hooks/{secret}") if secret else "",
        "levels": Level.choices,
        "sections": SECTIONS,
    }
    return render(request, "chat/settings.html", context)


@login_required
def moderation(request):
    if not access.is_moderator(request.user):
        raise PermissionDenied("Only staff can see reports.")
    if request.method == "POST":
        report = get_object_or_404(Report, pk=request.POST.get("report_id") or 0)
        with reported(request, denied=True):
            if request.POST.get("action") == "delete" and report.message.deleted_at is None:
                message_actions.delete_message(actor=request.user, message=report.message)
                report = Report.objects.filter(pk=report.pk).first()
            elif request.POST.get("action") == "deactivate" and report.message.author_id:
                member_actions.deactivate_member(
                    actor=request.user, member=report.message.author, reason=f"Chat report #{report.pk}"
                )
            if report is not None:
                state_actions.resolve_report(actor=request.user, report=report, note=request.POST.get("action", ""))
            flash.success(request, "Done.")
        return redirect("chat:moderation")
    reports = Report.objects.filter(resolved_at__isnull=True).select_related(
        "message__channel", "message__author", "reporter"
    )
    return render(request, "chat/moderation.html", {**layout_context(request), "reports": reports[:200]})


@csrf_exempt
@require_POST
def incoming_webhook(request, secret: str):
    """Slack-compatible: POST {"text": "..."} (JSON or a `payload` form field) posts as the webhook's bot."""
    hook = (
        Webhook.objects.select_related("channel")
        .filter(secret_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if hook is None:
        raise Http404("No such webhook.")
    try:
        raw = (
            request.POST.get("payload") if request.content_type == "application/x-www-form-urlencoded" else request.body
        )
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"ok": False, "error": 'Send JSON like {"text": "Hello"}.'}, status=400)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        return JsonResponse({"ok": False, "error": 'The body needs a non-empty "text".'}, status=400)
    name = body.get("username") if isinstance(body.get("username"), str) else hook.name
    with reported(request, flash=False) as outcome:
        message = message_actions.send_message(
            actor=None, channel=hook.channel, text=text, bot_name=(name or hook.name)[:80]
        )
    if not outcome.ok:
        return JsonResponse({"ok": False, "error": outcome.text}, status=outcome.status)
    return JsonResponse({"ok": True, "id": message.pk})
