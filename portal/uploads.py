"""Checking uploaded files by their content, not their name."""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

MB = 1024 * 1024
# Kind name -> MIME types accepted (as detected from the file's first bytes).
KINDS = {
    "pdf": {"application/pdf"},
    "image": {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"},
    # docx/xlsx/pptx are zip containers; filetype reports them by their inner layout.
    "office": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/x-ole-storage",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    },
}
# The extension a stored file and its download take, from the detected type (never the name).
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/bmp": "bmp",
    "image/tiff": "tif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/x-ole-storage": "doc",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
KIND_LABELS = {"pdf": "PDF", "image": "图片", "office": "Office 文档"}


def check_upload(
    upload, *, kinds: tuple[str, ...] = ("pdf", "image", "office"), max_mb: int = 20
) -> str:
    """Return the detected MIME type, or raise a ValidationError that says why in Chinese."""
    if upload.size > max_mb * MB:
        raise ValidationError(f"文件“{upload.name}”超过 {max_mb} MB 的上限")
    if upload.size == 0:
        raise ValidationError(f"文件“{upload.name}”是空文件")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # legacy MS Office (OLE2)
        mime = "application/x-ole-storage"
    if head[:2] == b"PK" and _has_macros(upload):
        raise ValidationError(f"文件“{upload.name}”含有宏，不能上传；请另存为不含宏的文档")
    allowed = set().union(*(KINDS[kind] for kind in kinds))
    if mime not in allowed:
        names = "、".join(KIND_LABELS[kind] for kind in kinds)
        raise ValidationError(f"文件“{upload.name}”的内容不是允许的类型（仅限{names}）")
    return mime


def _has_macros(upload) -> bool:
    """A macro-enabled office file (.docm, .xlsm, .pptm): its VBA project or its declared type."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            types = (
                archive.read("[Content_Types].xml")[:200_000]
                if "[Content_Types].xml" in names
                else b""
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # not a readable zip: the type check refuses it
    finally:
        upload.seek(0)
    return (
        any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroEnabled" in types
    )


def name_for(name: str, mime: str) -> str:
    """The uploaded name with the extension of its detected type: ``page.html`` holding a PDF
    is stored and downloaded as ``page.pdf``."""
    stem = PurePosixPath(str(name).replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{stem.strip() or '文件'}.{EXTENSIONS.get(mime, 'bin')}"


class StreamedSizeLimit(FileUploadHandler):
    """First of the upload handlers: counts the bytes of a request's files as they stream in
    and stops reading the moment they pass ``MAX_UPLOAD_FILE_BYTES`` (the largest file any
    form takes), so no more of an oversized upload is read, kept or written to a temporary
    file. ``portal.middleware.request_body_limit`` then answers 413 with the Chinese page."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_FILE_BYTES:
            if self.request is not None:
                self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)  # the rest of the body stays unread
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers make the file
