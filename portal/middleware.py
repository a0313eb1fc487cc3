"""Middleware of the portal's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.cache import patch_cache_control


def private_no_store(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Every response to a signed-in user says ``Cache-Control: private, no-store``: county
    offices share PCs and proxies, and a page, an export or a download of one user must not be
    kept for the next (the public list to visitors stays cacheable)."""

    def middleware(request: Any) -> Any:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware
