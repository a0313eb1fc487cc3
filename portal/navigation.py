"""The navigation: each app lists its menu entries on its AppConfig as ``menu``, a list of
``(label, url_name, subject, action)``, and may name its group as ``menu_group``. An entry shows
when the policy lets the user take ``action`` on ``subject`` (the page's own gate, so the menu
and the page never disagree); ``subject`` is named by string ("app.Model" or a dotted class) and
``None`` means every signed-in user. Entries listed as ``user_menu`` stand in the user's
drop-down instead (the portal's housekeeping: accounts, the security log). A group with more
than one entry becomes a drop-down. The portal names no domain app."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch

from .links import page_url
from .policy import can, resolve_subject

FLAT_UP_TO = 1  # an app's page stands alone; two or more go in its drop-down


def _entries(config, user: Any, attribute: str = "menu") -> list[dict[str, Any]]:
    entries = []
    for label, url_name, subject, action in getattr(config, attribute, ()):
        if subject is not None and not can(user, action, resolve_subject(subject)):
            continue
        try:
            entries.append({"label": label, "url": page_url(url_name), "active": False})
        except NoReverseMatch:
            continue
    return entries


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    # The domain's pages come first; the portal's own (the security log) last.
    configs = sorted(apps.get_app_configs(), key=lambda config: config.name == "portal")
    groups = [(getattr(config, "menu_group", None), _entries(config, user)) for config in configs]
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


def user_menu_for(user: Any) -> list[dict[str, Any]]:
    """The entries of the user's drop-down, in the order of the apps."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [e for config in apps.get_app_configs() for e in _entries(config, user, "user_menu")]
