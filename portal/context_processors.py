from django.conf import settings
from django.urls import reverse

from .models import Notification
from .navigation import menu_for


def shell(request):
    """What the page shell (templates/base.html) needs on every page."""
    return {
        "site_title": settings.SITE_TITLE,
        "nav_items": menu_for(getattr(request, "user", None), request.path),
    }


def notifications(request):
    """The bell: how many unread notifications the user has, and where to read them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cache: list[int] = []

    def unread_count() -> int:
        # Counted once, and only when a template shows the bell.
        if not cache:
            cache.append(Notification.objects.for_user(user).unread().count())
        return cache[0]

    return {
        "notifications_url": reverse("portal:notifications"),
        "unread_notification_count": unread_count,
    }
