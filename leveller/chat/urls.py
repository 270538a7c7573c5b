from django.urls import path

from leveller.chat import views, views_manage, views_messages
from leveller.chat.slack_import import views as slack_views

app_name = "chat"
urlpatterns = [
    path("chat/", views.index, name="index"),
    path("chat/browse/", views.browse, name="browse"),
    path("chat/new/", views.create, name="create"),
    path("chat/dm/", views.new_dm, name="new_dm"),
    path("chat/threads/", views.threads, name="threads"),
    path("chat/search/", views.search, name="search"),
    path("chat/notifications/", views.notifications, name="notifications"),
    path("chat/preferences/", views.preferences, name="preferences"),
    path("chat/moderation/", views_manage.moderation, name="moderation"),
    path("chat/sidebar/", views.sidebar, name="sidebar"),
    path("chat/c/<int:channel_id>/", views.channel_view, name="channel"),
    path("chat/c/<int:channel_id>/history/", views.history, name="history"),
    path("chat/c/<int:channel_id>/post/", views_messages.post, name="post"),
    path("chat/c/<int:channel_id>/read/", views_messages.read, name="read"),
    path("chat/c/<int:channel_id>/mentions/", views_messages.mentions, name="mentions"),
    path("chat/c/<int:channel_id>/join/", views.join, name="join"),
    path("chat/c/<int:channel_id>/leave/", views.leave, name="leave"),
    path("chat/c/<int:channel_id>/settings/", views_manage.settings_view, name="settings"),
    path("chat/m/<int:message_id>/", views.jump, name="jump"),
    path("chat/m/<int:message_id>/row/", views_messages.row, name="row"),
    path("chat/m/<int:message_id>/thread/", views_messages.thread, name="thread"),
    path("chat/m/<int:message_id>/thread/read/", views_messages.thread_read, name="thread_read"),
    path("chat/m/<int:message_id>/follow/", views_messages.follow, name="follow"),
    path("chat/m/<int:message_id>/edit/", views_messages.edit, name="edit"),
    path("chat/m/<int:message_id>/delete/", views_messages.delete, name="delete"),
    path("chat/m/<int:message_id>/react/", views_messages.react, name="react"),
    path("chat/m/<int:message_id>/pin/", views_messages.pin, name="pin"),
    path("chat/m/<int:message_id>/report/", views_messages.report, name="report"),
    path("chat/m/<int:message_id>/revisions/", views_messages.revisions, name="revisions"),
    path("chat/files/<str:token>/<str:name>", views.attachment, name="attachment"),
    path("hooks/<str:secret>", views_manage.incoming_webhook, name="webhook"),
    path("manage/import/slack/", slack_views.index, name="slack_import"),
    path("manage/import/slack/<int:run_id>/", slack_views.run_view, name="slack_import_run"),
    path("manage/import/slack/<int:run_id>/start/", slack_views.start, name="slack_import_start"),
    path("manage/import/slack/<int:run_id>/invite/", slack_views.invite, name="slack_import_invite"),
]
