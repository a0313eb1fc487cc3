"""Checking uploaded files by their content, not their name."""

from __future__ import annotations

import filetype
from django.core.exceptions import ValidationError

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
        "application/zip",
    },
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
    allowed = set().union(*(KINDS[kind] for kind in kinds))
    if mime not in allowed:
        names = "、".join(KIND_LABELS[kind] for kind in kinds)
        raise ValidationError(f"文件“{upload.name}”的内容不是允许的类型（仅限{names}）")
    return mime
