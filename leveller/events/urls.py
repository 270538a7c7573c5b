from django.urls import path

from leveller.events import course_views, views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/new/", views.event_new, name="new"),
    path("events/approvals/", views.approvals, name="approvals"),
    path("events/settings/", views.calendar_settings, name="calendar_settings"),
    path("events/settings/calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("events/settings/calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("events/<int:event_id>/", views.event_detail, name="detail"),
    path("events/<int:event_id>.ics", views.event_ics, name="ics"),
    path("events/<int:event_id>/rsvp/", views.rsvp, name="rsvp"),
    path("events/<int:event_id>/rsvp/cancel/", views.cancel_rsvp, name="cancel_rsvp"),
    path("events/<int:event_id>/rsvp/panel/", views.rsvp_panel, name="rsvp_panel"),
    path("events/<int:event_id>/edit/", views.event_edit, name="edit"),
    path("events/<int:event_id>/cancel/", views.event_cancel, name="cancel"),
    path("events/<int:event_id>/attendance/", views.attendance, name="attendance"),
    path("events/<int:event_id>/approve/", views.decide, {"decision": "approve"}, name="approve"),
    path("events/<int:event_id>/reject/", views.decide, {"decision": "reject"}, name="reject"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("courses/", course_views.course_list, name="courses"),
    path("courses/new/", course_views.course_new, name="course_new"),
    path(
        "courses/applications/<int:application_id>/decide/", course_views.application_decide, name="decide_application"
    ),
    path("courses/<slug:slug>/", course_views.course_detail, name="course"),
    path("courses/<slug:slug>/apply/", course_views.course_apply, name="course_apply"),
    path("courses/<slug:slug>/withdraw/", course_views.course_withdraw, name="course_withdraw"),
    path("courses/<slug:slug>/applications/", course_views.course_review, name="course_review"),
]
