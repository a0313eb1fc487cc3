"""The navigation: each app lists its menu entries on its AppConfig as ``menu``, a list of
``(label, url_name, roles)``, and may name its group as ``menu_group``. The portal shows a user
only the entries for their role; a group with more than two entries for that role becomes a
drop-down. The portal names no domain app."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse

FLAT_UP_TO = 2


def _entries(config, role: str) -> list[dict[str, Any]]:
    entries = []
    for label, url_name, roles in getattr(config, "menu", ()):
        if role not in roles:
            continue
        try:
            entries.append({"label": label, "url": reverse(url_name), "active": False})
        except NoReverseMatch:
            continue
    return entries


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    groups = [
        (getattr(config, "menu_group", None), _entries(config, user.role))
        for config in apps.get_app_configs()
    ]
    # The active entry is the most specific one the current page lies under.
    matches = [e for _, entries in groups for e in entries if current_path.startswith(e["url"])]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    items: list[dict[str, Any]] = []
    for group, entries in groups:
        if group and len(entries) > FLAT_UP_TO:
            active = any(e["active"] for e in entries)
            items.append({"label": group, "children": entries, "active": active})
        else:
            items.extend(entries)
    return items
