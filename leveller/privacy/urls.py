from django.urls import path

from leveller.privacy import views, views_consent, views_staff

app_name = "privacy"

urlpatterns = [
    path("settings/data/", views.your_data, name="your_data"),
    path("settings/data/consents/", views.save_consents, name="save_consents"),
    path("settings/data/copy/", views.ask_for_copy, name="ask_for_copy"),
    path("settings/data/copy/<int:export_id>/", views.export_status, name="export_status"),
    path("settings/data/copy/<int:export_id>/<str:token>/download/", views.download, name="download"),
    path("settings/data/erasure/", views.ask_for_erasure, name="ask_for_erasure"),
    path("settings/data/erasure/<int:request_id>/cancel/", views.cancel_erasure, name="cancel_erasure"),
    path("settings/data/viewed/", views.who_viewed, name="who_viewed"),
    path("newsletter/rejoin/<str:token>/", views.rejoin, name="rejoin"),
    path("manage/privacy/", views_staff.dashboard, name="dashboard"),
    path("manage/privacy/erasure/<int:request_id>/", views_staff.decide, name="decide"),
    path("manage/privacy/copy/", views_staff.copy_for_member, name="copy_for_member"),
    path("manage/privacy/retention/", views_staff.retention_page, name="retention"),
    path("manage/privacy/party-export/", views_staff.party_export, name="party_export"),
    path("manage/audit/", views_staff.audit_log, name="audit_log"),
    path("manage/privacy/policy/", views_consent.policy_page, name="policy"),
    path("manage/privacy/members/<int:member_id>/consent/", views_consent.member_consent, name="member_consent"),
    path("phonebank/<int:campaign_id>/consent/", views_consent.campaign_consents, name="campaign_consents"),
    path("phonebank/contacts/<int:contact_id>/consent/", views_consent.contact_consent, name="contact_consent"),
]
