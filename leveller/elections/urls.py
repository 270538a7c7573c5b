from django.urls import path

from leveller.elections import views, views_decide, views_staff

app_name = "elections"

urlpatterns = [
    path("votes/", views.election_list, name="list"),
    path("votes/new/", views_staff.new, name="new"),
    path("votes/motions/", views_decide.motion_list, name="motions"),
    path("votes/motions/new/", views_decide.motion_new, name="motion_new"),
    path("votes/motions/composite/", views_decide.motion_composite, name="motion_composite"),
    path("votes/motions/<int:pk>/", views_decide.motion_detail, name="motion"),
    path("votes/motions/<int:pk>/second/", views_decide.motion_second, name="motion_second"),
    path("votes/motions/<int:pk>/withdraw/", views_decide.motion_withdraw, name="motion_withdraw"),
    path("votes/motions/<int:pk>/amend/", views_decide.motion_amend, name="motion_amend"),
    path("votes/motions/<int:pk>/schedule/", views_decide.motion_schedule, name="motion_schedule"),
    path("votes/motions/<int:pk>/discuss/", views_decide.motion_discuss, name="motion_discuss"),
    path(
        "votes/motions/<int:pk>/amendments/<int:amendment_pk>/second/",
        views_decide.amendment_second,
        name="amendment_second",
    ),
    path(
        "votes/motions/<int:pk>/amendments/<int:amendment_pk>/accept/",
        views_decide.amendment_accept,
        name="amendment_accept",
    ),
    path(
        "votes/motions/<int:pk>/amendments/<int:amendment_pk>/withdraw/",
        views_decide.amendment_withdraw,
        name="amendment_withdraw",
    ),
    path("votes/processes/<slug:slug>/", views_decide.process_detail, name="process"),
    path("votes/email/", views_decide.mail_settings, name="mail_settings"),
    path("votes/unsubscribe/<str:token>/", views_decide.unsubscribe_view, name="unsubscribe"),
    path("votes/<int:pk>/discuss/", views_decide.election_discuss, name="discuss"),
    path("votes/<int:pk>/hustings/", views_decide.hustings_ask, name="hustings_ask"),
    path("votes/<int:pk>/hustings/<int:question_pk>/answer/", views_decide.hustings_answer, name="hustings_answer"),
    path("votes/<int:pk>/hustings/<int:question_pk>/hide/", views_decide.hustings_hide, name="hustings_hide"),
    path("votes/<int:pk>/", views.election_detail, name="detail"),
    path("votes/<int:pk>/stand/", views.stand, name="stand"),
    path("votes/<int:pk>/candidates/<int:candidate_pk>/nominate/", views.support, name="support"),
    path("votes/<int:pk>/candidates/<int:candidate_pk>/group-nominate/", views.group_nominate, name="group_nominate"),
    path("votes/<int:pk>/candidates/<int:candidate_pk>/withdraw/", views.withdraw, name="withdraw"),
    path("votes/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("votes/<int:pk>/results/", views.results, name="results"),
    path("votes/<int:pk>/results/check/", views.check_receipt, name="check_receipt"),
    path("votes/<int:pk>/ballots.blt", views.download_blt, name="download_blt"),
    path("votes/<int:pk>/receipts.csv", views.download_receipts, name="download_receipts"),
    path("votes/<int:pk>/result.json", views.download_result, name="download_result"),
    path("votes/<int:pk>/manage/", views_staff.manage, name="manage"),
    path("votes/<int:pk>/manage/candidates/", views_staff.add_candidate, name="add_candidate"),
    path("votes/<int:pk>/manage/candidates/<int:candidate_pk>/", views_staff.edit_candidate, name="edit_candidate"),
    path("votes/<int:pk>/manage/rules/", views_staff.set_rule, name="set_rule"),
    path("votes/<int:pk>/manage/rules/<int:rule_pk>/remove/", views_staff.remove_rule, name="remove_rule"),
    path("votes/<int:pk>/manage/state/", views_staff.transition, name="transition"),
]
