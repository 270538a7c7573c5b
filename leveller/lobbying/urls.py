from django.urls import path

from leveller.lobbying import manage_views, views

app_name = "lobbying"

urlpatterns = [
    path("lobbying/", views.home, name="home"),
    path("act/<slug:slug>/", views.act, name="act"),
    path("lobbying/confirm/<str:token>/", views.confirm, name="confirm"),
    path("lobbying/replied/<str:token>/", views.follow_up, name="follow_up"),
    path("lobbying/letters/", views.my_letters, name="letters"),
    path("lobbying/letters/<int:letter_id>/", views.letter_detail, name="letter"),
    path("lobbying/letters/<int:letter_id>/answer/", views.answer, name="answer"),
    path("statements/<slug:slug>/", views.statement, name="statement"),
    path("statements/logos/<int:signature_id>/", views.logo, name="logo"),
    path("lobbying/campaigns/new/", manage_views.campaign_new, name="campaign_new"),
    path("lobbying/campaigns/<slug:slug>/", manage_views.campaign_results, name="results"),
    path("lobbying/campaigns/<slug:slug>/edit/", manage_views.campaign_edit, name="campaign_edit"),
    path("lobbying/campaigns/<slug:slug>/status/", manage_views.campaign_status, name="campaign_status"),
    path("lobbying/campaigns/<slug:slug>/letters.csv", manage_views.campaign_csv, name="results_csv"),
    path("lobbying/campaigns/<slug:slug>/moderation/", manage_views.moderation, name="moderation"),
    path("lobbying/statements/new/", manage_views.statement_new, name="statement_new"),
    path("lobbying/statements/<slug:slug>/", manage_views.statement_manage, name="statement_manage"),
]
