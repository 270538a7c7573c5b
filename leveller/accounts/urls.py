from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from leveller.accounts import two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", two_factor_views.code, name="two_factor_code"),
    path("settings/two-factor/", two_factor_views.status, name="two_factor"),
    path("settings/two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("settings/two-factor/confirm/", two_factor_views.confirm, name="two_factor_confirm"),
    path("settings/two-factor/codes/", two_factor_views.regenerate, name="two_factor_codes"),
    path("settings/two-factor/disable/", two_factor_views.disable, name="two_factor_disable"),
    path("manage/security/", two_factor_views.policy, name="two_factor_policy"),
    path("manage/members/<int:member_id>/two-factor/reset/", two_factor_views.reset, name="two_factor_reset"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path(
        "settings/password/",
        views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:settings")
        ),
        name="password_change",
    ),
    path("invitation/<str:secret>/", views.accept_invitation, name="accept_invitation"),
    path("settings/email/confirm/<str:secret>/", views.confirm_email, name="confirm_email"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/email/", views.change_email, name="change_email"),
    path("settings/tokens/", views.create_token, name="create_token"),
    path("settings/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("members/<int:member_id>/", views.profile, name="profile"),
    path("members/<int:member_id>/avatar/<str:digest>.webp", views.avatar, name="avatar"),
    path("settings/picture/", views.change_avatar, name="change_avatar"),
    path("settings/picture/remove/", views.remove_avatar, name="remove_avatar"),
    path("manage/members/", views.members_admin, name="members_admin"),
    path("manage/members/import/", views.import_csv, name="import_csv"),
    path("manage/members/<int:member_id>/deactivate/", views.deactivate, name="deactivate"),
]
