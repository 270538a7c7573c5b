from django.urls import path

from leveller.newsletter import feeds, manage_people, manage_views, views

app_name = "newsletter"

urlpatterns = [
    # public
    path("newsletter/", views.archive, name="home"),
    path("newsletter/feed.atom", feeds.IssueFeed(), name="feed"),
    path("newsletter/subscribe/", views.signup, name="signup"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("newsletter/pictures/<int:image_id>/<str:name>", views.image, name="image"),
    path("newsletter/<int:year>/<slug:slug>/", views.issue_page, name="issue"),
    # members
    path("newsletter/settings/", views.member_settings, name="settings"),
    path("newsletter/question/", views.question, name="question"),
    path("newsletter/question/answers/<int:answer_id>/withdraw/", views.withdraw_answer, name="withdraw_answer"),
    # editors
    path("newsletter/manage/", manage_views.dashboard, name="dashboard"),
    path("newsletter/manage/issues/new/", manage_views.issue_new, name="issue_new"),
    path("newsletter/manage/issues/<int:issue_id>/", manage_views.compose, name="compose"),
    path("newsletter/manage/issues/<int:issue_id>/sections/", manage_views.section_add, name="section_add"),
    path("newsletter/manage/sections/<int:section_id>/", manage_views.section_save, name="section_save"),
    path("newsletter/manage/sections/<int:section_id>/move/", manage_views.section_move, name="section_move"),
    path("newsletter/manage/sections/<int:section_id>/remove/", manage_views.section_remove, name="section_remove"),
    path("newsletter/manage/issues/<int:issue_id>/pictures/", manage_views.image_upload, name="image_upload"),
    path("newsletter/manage/issues/<int:issue_id>/preview/", manage_views.preview, name="preview"),
    path("newsletter/manage/issues/<int:issue_id>/preview/email/", manage_views.preview_email, name="preview_email"),
    path("newsletter/manage/issues/<int:issue_id>/test/", manage_views.send_test, name="send_test"),
    path("newsletter/manage/issues/<int:issue_id>/publish/", manage_views.publish, name="publish"),
    path("newsletter/manage/issues/<int:issue_id>/schedule/", manage_views.schedule, name="schedule"),
    path("newsletter/manage/issues/<int:issue_id>/sending/", manage_views.progress, name="progress"),
    path("newsletter/manage/issues/<int:issue_id>/resume/", manage_views.resume, name="resume"),
    path("newsletter/manage/subscribers/", manage_people.subscribers, name="subscribers"),
    path("newsletter/manage/subscribers/import/", manage_people.subscribers_import, name="subscribers_import"),
    path("newsletter/manage/questions/", manage_people.questions, name="questions"),
    path("newsletter/manage/questions/<int:question_id>/", manage_people.question_manage, name="question_manage"),
    path("newsletter/manage/answers/<int:answer_id>/", manage_people.answer_status, name="answer_status"),
]
