from django.urls import path

from leveller.push import views

app_name = "push"

urlpatterns = [
    path("settings/notifications/", views.settings_page, name="settings"),
    path("settings/notifications/devices/<int:subscription_id>/", views.device, name="device"),
]
