import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.uploads import check_upload

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_pdf_is_recognised_by_content_not_name():
    assert check_upload(SimpleUploadedFile("scan.jpg", PDF)) == "application/pdf"


def test_an_image_passes_when_images_are_allowed():
    assert check_upload(SimpleUploadedFile("photo.png", PNG), kinds=("image",)) == "image/png"


def test_a_script_renamed_to_pdf_is_refused_with_a_reason():
    with pytest.raises(ValidationError, match="不是允许的类型"):
        check_upload(SimpleUploadedFile("report.pdf", b"#!/bin/sh\nrm -rf /\n"))


def test_an_office_file_is_accepted():
    import openpyxl

    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    assert "spreadsheetml" in check_upload(SimpleUploadedFile("a.xlsx", buffer.getvalue()))


def test_over_large_files_are_refused():
    with pytest.raises(ValidationError, match="超过 1 MB"):
        check_upload(SimpleUploadedFile("big.pdf", PDF + b"0" * 1024 * 1024), max_mb=1)


def _zip(entries: dict[str, bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_bare_zip_is_not_an_office_file():
    upload = SimpleUploadedFile("材料.docx", _zip({"readme.txt": b"hello"}))
    with pytest.raises(ValidationError, match="不是允许的类型"):
        check_upload(upload)


def test_a_macro_enabled_office_file_is_refused():
    docm = _zip(
        {
            "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.ms-word.'
            b'document.macroEnabled.main+xml"/></Types>',
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0",
        }
    )
    with pytest.raises(ValidationError, match="宏"):
        check_upload(SimpleUploadedFile("制度.docx", docm))


@pytest.mark.parametrize(
    ("name", "stored"),
    [("page.html", "page.pdf"), ("扫描件", "扫描件.pdf"), ("a.PDF", "a.pdf"), (".pdf", "文件.pdf")],
)
def test_the_stored_name_takes_the_extension_of_the_detected_type(name, stored):
    from portal.uploads import name_for

    assert name_for(name, "application/pdf") == stored
