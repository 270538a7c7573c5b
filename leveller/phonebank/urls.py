from django.urls import path

from leveller.phonebank import views

app_name = "phonebank"

urlpatterns = [
    path("phonebank/", views.campaigns, name="campaigns"),
    path("phonebank/new/", views.create, name="create"),
    path("phonebank/<int:campaign_id>/", views.campaign, name="campaign"),
    path("phonebank/<int:campaign_id>/setup/", views.setup, name="setup"),
    path("phonebank/<int:campaign_id>/contacts/", views.contacts, name="contacts"),
    path("phonebank/<int:campaign_id>/contacts/imports/", views.imports_fragment, name="imports"),
    path("phonebank/<int:campaign_id>/call/", views.start_calling, name="start"),
    path("phonebank/<int:campaign_id>/leaderboard/", views.leaderboard, name="leaderboard"),
    path("phonebank/<int:campaign_id>/dashboard/", views.dashboard, name="dashboard"),
    path("phonebank/<int:campaign_id>/dashboard/stats/", views.dashboard_stats, name="dashboard_stats"),
    path("phonebank/<int:campaign_id>/results.csv", views.export_csv, name="export"),
    path("phonebank/calls/<int:call_id>/", views.call, name="call"),
    path("phonebank/calls/<int:call_id>/outcome/", views.record_outcome, name="outcome"),
    path("phonebank/calls/<int:call_id>/release/", views.release, name="release"),
]
