"""Middleware of the portal's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
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


def request_body_limit(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A request whose body is larger than ``MAX_REQUEST_BODY_BYTES`` is answered 413, with
    the Chinese page, before a byte of the body is read: Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    leaves files out, and the CSRF check would otherwise read the whole body first. First in
    the chain. (Django reads no more than ``Content-Length`` says, so that is the size.)"""
    from django.http import HttpResponse

    def middleware(request: Any) -> Any:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            page = render_to_string("413.html", {"limit_mb": limit // (1024 * 1024)})
            response = HttpResponse(page, status=413)
            response["Connection"] = "close"  # the unread body is not drained
            return response
        return get_response(request)

    return middleware

