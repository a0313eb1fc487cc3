"""The navigation: each app lists its menu entries on its AppConfig as ``menu``, a list of
``(label, url_name, roles)``; the portal shows a user only the entries for their role. The
portal names no domain app."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for config in apps.get_app_configs():
        for label, url_name, roles in getattr(config, "menu", ()):
            if user.role not in roles:
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": current_path.startswith(url)})
    return items
