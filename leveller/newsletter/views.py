"""Public and member pages: the archive, an issue, the feed, sign-up, confirm, unsubscribe, pictures, the
member's newsletter settings and the question of the month."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from leveller.core.page_errors import reported
from leveller.newsletter import content, tokens
from leveller.newsletter.access import is_editor
from leveller.newsletter.actions import subscriptions, voices
from leveller.newsletter.api import signup_allowed
from leveller.newsletter.forms import AnswerForm, SignupForm
from leveller.newsletter.models import Answer, Image, Issue, Subscriber, SubscriberStatus
from leveller.newsletter.rendering import first_image
from leveller.privacy import rejoin
from leveller.privacy.suppression import Suppressed


def archive(request):
    page = Paginator(Issue.objects.published(), 20).get_page(request.GET.get("page"))
    context = {"page": page, "is_editor": is_editor(request.user)}
    if request.user.is_authenticated:
        context["question"] = voices.open_question()
        context["subscription"] = subscriptions.subscription_for(request.user)
    return render(request, "newsletter/archive.html", context)


def issue_page(request, year: int, slug: str):
    issue = get_object_or_404(Issue, slug=slug)
    if not issue.is_published:
        if not is_editor(request.user):
            raise Http404("No such issue.")
        return redirect("newsletter:preview", issue.pk)
    if issue.published_at.year != year:
        return redirect(issue.get_absolute_url(), permanent=True)
    blocks = content.blocks(issue)
    image = next((src for b in blocks if (src := first_image(b.html))), None)
    return render(
        request,
        "newsletter/issue.html",
        {
            "issue": issue,
            "blocks": blocks,
            "canonical": settings.SITE_URL + issue.get_absolute_url(),
            "og_image": (settings.SITE_URL + image) if image and image.startswith("/") else image,
            "is_editor": is_editor(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def signup(request):
    initial = {}
    if request.user.is_authenticated:
        initial = {"email": request.user.email, "name": request.user.display_name, "postcode": request.user.postcode}
    form = SignupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not signup_allowed(request):
            form.add_error(None, "Too many sign-ups from your network. Try again in an hour.")
        else:
            with reported(request, form=form) as outcome:
                try:
                    subscriptions.request_subscription(actor=None, **form.cleaned_data, source="sign-up form")
                except Suppressed:
                    # Refused, but saying so would reveal that the owner was erased: only they can come back,
                    # from a link sent to the address (leveller/privacy/rejoin.py). So it reads as sent.
                    rejoin.offer(**form.cleaned_data)
            if outcome.ok:
                return render(request, "newsletter/signup_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "newsletter/signup.html", {"form": form, "wording": subscriptions.SIGNUP_WORDING})


def confirm(request, token: str):
    with reported(request, flash=False) as outcome:
        subscriber = subscriptions.confirm_subscription(token=token)
    if not outcome.ok:
        return render(
            request, "newsletter/message.html", {"title": "Link not valid", "text": outcome.messages[0]}, status=410
        )
    return render(request, "newsletter/confirmed.html", {"subscriber": subscriber})


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:2]}{'•' * max(len(local) - 2, 1)}@{domain}"


@csrf_exempt  # the signed token is the credential; mail providers POST here with no session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    subscriber_id = tokens.subscriber_for_unsubscribe(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first() if subscriber_id else None
    if request.method == "POST":
        if subscriber is not None:
            subscriptions.unsubscribe(
                actor=None, subscriber=subscriber, how="one-click" if _one_click(request) else "link"
            )
        if _one_click(request):
            return HttpResponse("Unsubscribed.\n", content_type="text/plain")
        return render(request, "newsletter/unsubscribed.html", {"found": subscriber is not None})
    if subscriber is None:
        return render(
            request,
            "newsletter/message.html",
            {"title": "Link not valid", "text": "This unsubscribe link is not valid."},
            status=404,
        )
    return render(
        request,
        "newsletter/unsubscribe.html",
        {"masked": _masked(subscriber.email), "already": subscriber.status == SubscriberStatus.UNSUBSCRIBED},
    )


def _one_click(request) -> bool:
    return request.POST.get("List-Unsubscribe") == "One-Click"


def image(request, image_id: int, name: str):
    picture = get_object_or_404(Image.objects.select_related("issue"), pk=image_id)
    if picture.filename != name or (not picture.issue.is_published and not is_editor(request.user)):
        raise Http404("No such picture.")
    response = FileResponse(picture.file.open("rb"), content_type=picture.content_type)
    response["Cache-Control"] = "public, max-age=86400" if picture.issue.is_published else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def member_settings(request):
    if request.method == "POST":
        if request.POST.get("subscribe") == "1":
            subscriptions.subscribe_member(actor=request.user)
            messages.success(request, "You are subscribed to the newsletter.")
        elif (subscriber := subscriptions.subscription_for(request.user)) is not None:
            subscriptions.unsubscribe(actor=request.user, subscriber=subscriber, how="member settings")
            messages.success(request, "You are unsubscribed. You will get no more newsletters.")
        return redirect("newsletter:settings")
    subscriber = subscriptions.subscription_for(request.user)
    answers = Answer.objects.filter(member=request.user).select_related("question", "printed_in")
    return render(
        request,
        "newsletter/settings.html",
        {"subscriber": subscriber, "wording": subscriptions.MEMBER_WORDING, "answers": answers},
    )


@login_required
@require_http_methods(["GET", "POST"])
def question(request):
    current = voices.open_question()
    mine = Answer.objects.filter(question=current, member=request.user).first() if current else None
    initial = {"show_name": True, "show_group": True}
    if mine:
        initial = {"body": mine.body, "show_name": mine.show_name, "show_group": mine.show_group}
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and current is not None and form.is_valid():
        with reported(request, form=form, field="body") as outcome:
            voices.submit_answer(actor=request.user, question=current, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "Thank you: your answer is with the editors.")
            return redirect("newsletter:question")
    return render(
        request,
        "newsletter/question.html",
        {
            "question": current,
            "form": form,
            "mine": mine,
            "max_words": voices.MAX_WORDS,
            "group_name": _group_name(request.user),
        },
    )


def _group_name(member) -> str:
    return voices.local_group_name(member)


@login_required
@require_POST
def withdraw_answer(request, answer_id: int):
    answer = get_object_or_404(Answer, pk=answer_id, member=request.user)
    with reported(request) as outcome:
        voices.withdraw_answer(actor=request.user, answer=answer)
    if outcome.ok:
        messages.success(request, "Your answer is withdrawn.")
    return redirect("newsletter:question")
