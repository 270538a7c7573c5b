"""Editors' pages for people: subscribers (list, search, CSV import) and the question of the month (questions,
answers to shortlist, choose or decline)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from leveller.core.page_errors import reported
from leveller.newsletter.actions import voices
from leveller.newsletter.forms import ImportForm, QuestionForm
from leveller.newsletter.importing import import_subscribers
from leveller.newsletter.manage_views import editor_page
from leveller.newsletter.models import Answer, AnswerStatus, Question, Subscriber, SubscriberStatus


@editor_page
def subscribers(request):
    queryset = Subscriber.objects.all()
    status, query = request.GET.get("status", ""), request.GET.get("q", "").strip()
    if status in SubscriberStatus.values:
        queryset = queryset.filter(status=status)
    if query:
        queryset = queryset.filter(Q(email__icontains=query) | Q(name__icontains=query) | Q(postcode__iexact=query))
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "newsletter/manage/subscribers.html",
        {
            "page": page,
            "status": status,
            "q": query,
            "statuses": SubscriberStatus.choices,
            "form": ImportForm(),
        },
    )


@editor_page
@require_POST
def subscribers_import(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a CSV file to import.")
        return redirect("newsletter:subscribers")
    with reported(request) as outcome:
        report = import_subscribers(actor=request.user, data=form.cleaned_data["file"].read())
    if not outcome.ok:
        return redirect("newsletter:subscribers")
    return render(request, "newsletter/manage/import_result.html", {"report": report})


@editor_page
@require_http_methods(["GET", "POST"])
def questions(request):
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form, field="text") as outcome:
            question = voices.create_question(actor=request.user, **form.cleaned_data)
        if outcome.ok:
            return redirect("newsletter:question_manage", question.pk)
    listed = Question.objects.annotate(answer_count=Count("answers"))
    return render(request, "newsletter/manage/questions.html", {"questions": listed, "form": form})


@editor_page
@require_http_methods(["GET", "POST"])
def question_manage(request, question_id: int):
    question = get_object_or_404(Question, pk=question_id)
    if request.method == "POST":
        if request.POST.get("action") == "open":
            voices.open_for_answers(actor=request.user, question=question)
        elif request.POST.get("action") == "close":
            voices.close_question(actor=request.user, question=question)
        return redirect("newsletter:question_manage", question.pk)
    shown = request.GET.get("status", "")
    answers = question.answers.select_related("member", "printed_in")
    if shown in AnswerStatus.values:
        answers = answers.filter(status=shown)
    return render(
        request,
        "newsletter/manage/question.html",
        {
            "question": question,
            "answers": answers,
            "shown": shown,
            "statuses": AnswerStatus.choices,
        },
    )


@editor_page
@require_POST
def answer_status(request, answer_id: int):
    answer = get_object_or_404(Answer.objects.select_related("member", "question"), pk=answer_id)
    with reported(request, flash=not request.htmx) as outcome:
        voices.set_answer_status(actor=request.user, answer=answer, status=request.POST.get("status", ""))
    if request.htmx:
        context = {"answer": answer, "statuses": AnswerStatus.choices, "answer_error": outcome.text}
        return render(request, "newsletter/manage/_answer.html", context)
    return redirect("newsletter:question_manage", answer.question_id)
