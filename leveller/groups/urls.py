from django.urls import path

from leveller.groups import manage_views, views

app_name = "groups"

urlpatterns = [
    path("groups/", views.directory, name="directory"),
    path("groups/find/", views.find, name="find"),
    path("groups/propose/", views.propose, name="propose"),
    path("groups/approvals/", manage_views.approvals, name="approvals"),
    path("groups/<slug:slug>/", views.detail, name="detail"),
    path("groups/<slug:slug>/join/", views.join, name="join"),
    path("groups/<slug:slug>/leave/", views.leave, name="leave"),
    path("groups/<slug:slug>/decide/", manage_views.decide, name="decide"),
    path("groups/<slug:slug>/manage/", manage_views.manage, name="manage"),
    path("groups/<slug:slug>/manage/members/", manage_views.add_member, name="add_member"),
    path("groups/<slug:slug>/manage/members/list/", manage_views.members_fragment, name="members_fragment"),
    path("groups/<slug:slug>/manage/members/<int:member_id>/remove/", manage_views.remove_member, name="remove_member"),
    path("groups/<slug:slug>/manage/members/<int:member_id>/role/", manage_views.set_role, name="set_role"),
    path("groups/<slug:slug>/manage/message/", manage_views.send_message, name="message"),
    path("groups/<slug:slug>/manage/edit/", manage_views.edit, name="edit"),
]
