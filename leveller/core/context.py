from django.conf import settings

from leveller.core import nav


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "nav_items": nav.items_for(user) if user is not None else [],
    }
