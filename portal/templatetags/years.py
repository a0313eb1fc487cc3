"""The year switch of every yearly page: ``{% load years %}{% year_switch year %}``."""

from __future__ import annotations

from typing import Any

from django import template

from portal.http import year_options

register = template.Library()


@register.inclusion_tag("components/year_switch.html", takes_context=True)
def year_switch(context: dict[str, Any], year: int) -> dict[str, Any]:
    """A GET form that reopens the page on another year, keeping its other filters (but not
    the page number, which belongs to the year shown)."""
    request = context["request"]
    keep = [
        (name, value)
        for name, values in request.GET.lists()
        if name not in ("year", "page")
        for value in values
    ]
    return {"year": year, "years": year_options(year), "keep": keep}
