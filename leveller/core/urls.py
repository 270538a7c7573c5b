from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from leveller.core import health, pwa, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("ping", health.ping, name="ping"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline", pwa.offline, name="offline"),
    path("favicon.ico", RedirectView.as_view(url=static("leveller/favicon.svg"), permanent=True)),
]
