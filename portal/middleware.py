"""Middleware of the portal's own."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

logger = logging.getLogger("django.request")


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


class PortalErrorPagesMiddleware:
    """The portal's own Chinese 404 and 500 pages even with DEBUG on (``python3 dev.py run``):
    a person trying the portal never sees Django's English debug pages. Administrators (staff)
    keep Django's pages while DEBUG is on, for debugging. Without DEBUG Django already uses
    ``handler404`` and ``500.html``; this changes nothing then.

    A 500 still reaches ``got_request_exception`` (the test client re-raises it, the log keeps
    the traceback)."""

    def __init__(self, get_response: Callable[[Any], Any]):
        self.get_response = get_response

    def _applies(self, request: Any) -> bool:
        user = getattr(request, "user", None)
        return settings.DEBUG and not (user is not None and user.is_staff)

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and self._applies(request)
            and not getattr(response, "portal_page", False)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            # Django's technical 404 (an unknown address, or Http404 from a view).
            from .views import page_not_found

            return page_not_found(request, getattr(request, "_portal_404", None))
        return response

    def process_exception(self, request: Any, exception: Exception) -> Any:
        if isinstance(exception, Http404):
            request._portal_404 = exception  # the 404 page says what a missing file is
            return None
        if isinstance(exception, PermissionDenied | BadRequest | SuspiciousOperation):
            return None  # Django answers these 403 and 400 with the portal's own pages
        if not self._applies(request):
            return None
        signals.got_request_exception.send(sender=type(self), request=request)
        logger.error("Internal Server Error: %s", request.path, exc_info=True)
        response = render(request, "500.html", status=500)
        response.portal_page = True
        return response


def request_body_limit(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A request whose body is larger than ``MAX_REQUEST_BODY_BYTES`` is answered 413, with
    the Chinese page, before a byte of the body is read: Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    leaves files out, and the CSRF check would otherwise read the whole body first. First in
    the chain. (Django reads no more than ``Content-Length`` says, so that is the size.)

    A body within that size whose files pass ``MAX_UPLOAD_FILE_BYTES`` is stopped as it
    streams (``portal.uploads.StreamedSizeLimit``, parsing here before anything else reads the
    body) and answered the same way, with no more of it read."""
    from django.http import HttpResponse

    def middleware(request: Any) -> Any:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            return too_large(limit)
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.POST  # noqa: B018 - parsed here, its files counted as they stream in
            if getattr(request, "upload_too_large", False):  # portal.uploads.StreamedSizeLimit
                return too_large(settings.MAX_UPLOAD_FILE_BYTES)
        return get_response(request)

    def too_large(limit: int) -> Any:
        page = render_to_string("413.html", {"limit_mb": limit // (1024 * 1024)})
        response = HttpResponse(page, status=413)
        response["Connection"] = "close"  # the unread body is not drained
        return response

    return middleware
