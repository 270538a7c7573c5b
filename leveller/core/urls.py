from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from leveller.core import health, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("ping", health.ping, name="ping"),
    path("favicon.ico", RedirectView.as_view(url=static("leveller/favicon.svg"), permanent=True)),
]
