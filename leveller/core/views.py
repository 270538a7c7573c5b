from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from leveller.core import home_panels


@login_required
def home(request):
    return render(request, "core/home.html", {"panels": home_panels.render_all(request)})
