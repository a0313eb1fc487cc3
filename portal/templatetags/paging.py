"""``{% load paging %}{% for n in page_obj|page_numbers %}``: the few page numbers a pager
shows (the current one with two on each side, the first and the last), with ``None`` where
numbers are left out, computed without walking every page of a long list."""

from __future__ import annotations

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_numbers(page: Page) -> list[int | None]:
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [n if isinstance(n, int) else None for n in numbers]
