from django.urls import path

from leveller.elections import views, views_staff

app_name = "elections"

urlpatterns = [
    path("votes/", views.election_list, name="list"),
    path("votes/new/", views_staff.new, name="new"),
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
