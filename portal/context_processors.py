from django.conf import settings
from django.urls import reverse

from .navigation import menu_for, user_menu_for


def shell(request):
    """What the page shell (templates/base.html) needs on every page."""
    return {
        "site_title": settings.SITE_TITLE,
        "nav_items": menu_for(getattr(request, "user", None), request.path),
        "user_menu_items": user_menu_for(getattr(request, "user", None)),
    }


def notifications(request):
    """The bell: how many unread notifications the user has (a counter on the user row, so
    no query), and where to read them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notifications_url": reverse("portal:notifications"),
        "unread_notification_count": user.unread_notifications,
    }
