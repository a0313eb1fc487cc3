"""Request plumbing every view shares: downloads, service errors as messages, the year.

A view reads: fetch (``portal.policy.fetch``), bind a form, ``perform`` one service call,
redirect. ``perform`` turns a refusal (``ValidationError``, which ``TransitionRefused`` and
``ConcurrentEditError`` are) into the form's errors or a message; ``PermissionDenied`` is left
to answer 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from .statemachine import message_of
from .xlsx import XLSX_MIME  # the one MIME constant, kept beside the writer

# --- Downloads --------------------------------------------------------------------------------


def attachment(filename: str) -> str:
    """One Content-Disposition for every download (RFC 6266, UTF-8 names)."""
    return f"attachment; filename*=utf-8''{quote(filename)}"


def xlsx_response(content: bytes | Iterable[bytes], filename: str) -> HttpResponse:
    """An .xlsx download: ``content`` is the workbook's bytes or a stream of chunks."""
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    if isinstance(content, bytes | bytearray):
        response: HttpResponse = HttpResponse(content, content_type=XLSX_MIME)
    else:
        response = StreamingHttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = attachment(filename)
    return response


def dated(name: str, day: dt.date | None = None) -> str:
    """``name`` with the day it was taken, as downloads are named: 企业名录20160630."""
    return f"{name}{(day or timezone.localdate()):%Y%m%d}"


class FileMissing(Http404):
    """A stored file gone from disk: the 404 page says so (``portal.views.page_not_found``)."""

    message = "该文件已不在服务器上，请联系上传单位重新上传"


def file_response(file_field: Any, filename: str) -> FileResponse:
    """A stored upload, downloaded under the name it was uploaded with."""
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError) as missing:  # ValueError: no file recorded at all
        raise FileMissing(FileMissing.message) from missing
    return FileResponse(handle, as_attachment=True, filename=filename)


# --- Service calls ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def show_error(request: Any, error: ValidationError, form: Any = None) -> None:
    """A refusal on the page: on the form's fields where it names them, else as a message."""
    if form is None:
        messages.error(request, message_of(error))
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, message_of(error))


def form_errors_text(form: Any) -> str:
    """Every error of a form that redirects instead of re-rendering, with its field's label."""
    return "；".join(
        f"{form.fields[name].label}：{error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )


def refuse_form(request: Any, form: Any, prefix: str = "") -> None:
    """Say a redirecting form's errors as one message."""
    messages.error(request, prefix + form_errors_text(form))


def perform(
    request: Any, call: Callable[[], Any], *, success: str = "", form: Any = None
) -> Outcome:
    """Run one service call; on success say ``success``, on refusal show why."""
    try:
        value = call()
    except ValidationError as error:
        show_error(request, error, form)
        return Outcome(False)
    if success:
        messages.success(request, success)
    return Outcome(True, value)


# --- Query parameters -------------------------------------------------------------------------

ID_MAX = 2**31 - 1  # the largest value every database's integer columns hold


def is_row_id(value: Any) -> bool:
    """A positive whole number a column can hold: "abc", "0", "-1", "1.5", "９" and
    99999999999999999999 are not a county, an industry, a row or a page."""
    text = str(value).strip()
    return text.isascii() and text.isdigit() and len(text) <= 10 and 0 < int(text) <= ID_MAX


def int_param(params: Any, key: str) -> int | None:
    """``params[key]`` as a row id or count (``is_row_id``), or None."""
    raw = params.get(key) or ""
    return int(raw) if is_row_id(raw) else None


def id_filter(params: Any, key: str) -> tuple[bool, int | None]:
    """(asked, id) for a filter by a related row's id: a filter asked with something that is no
    id matches nothing (``asked`` with ``None``), rather than being silently dropped."""
    asked = bool(str(params.get(key) or "").strip())
    return asked, int_param(params, key)


# --- The programme year -----------------------------------------------------------------------


def current_year() -> int:
    """The programme year every yearly page opens on: this year in Asia/Shanghai."""
    return timezone.localdate().year


# The programme began with the notice (烟安监〔2016〕6号); the year switch offers every year
# from then to the next one.
FIRST_PROGRAMME_YEAR = 2016


def year_options(year: int) -> list[int]:
    """The years a yearly page's switch offers: the programme's, the next, and ``year``."""
    return sorted({*range(FIRST_PROGRAMME_YEAR, current_year() + 2), year})


YEARS = range(2000, 2101)  # the programme years a page may be asked for


def year_or_404(year: int) -> int:
    """A year taken from the path: outside ``YEARS`` there is no such page."""
    if year not in YEARS:
        raise Http404("没有该年度")
    return year


def year_from(request: Any, default: int | None = None) -> int:
    """The year a yearly page shows: ``?year=`` when it is a sensible year, else the default."""
    year = int_param(request.GET, "year")
    if year in YEARS:
        return year
    return default if default is not None else current_year()
