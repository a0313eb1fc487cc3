from django.conf import settings

from .navigation import menu_for


def shell(request):
    """What the page shell (templates/base.html) needs on every page."""
    return {
        "site_title": settings.SITE_TITLE,
        "nav_items": menu_for(getattr(request, "user", None), request.path),
    }
