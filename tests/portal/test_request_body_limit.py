"""An oversized request body is refused before it is read (issue 15: a 150 MB body was read
whole before the 10 MB check): 413 with a Chinese page, whoever sends it, nothing read."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def __init__(self):
        self.read_bytes = 0

    def read(self, size=-1):
        self.read_bytes += 1
        raise AssertionError("the oversized body was read")

    readline = read


def post_declaring(client, url, length):
    return client.generic(
        "POST",
        url,
        data=b"x",
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": Unreadable()},
    )


@pytest.mark.parametrize("url", ["/enterprises/import/", "/accounts/login/"])
def test_a_body_past_the_limit_is_refused_unread_with_a_chinese_page(client, county_user, url):
    client.force_login(county_user)
    response = post_declaring(client, url, settings.MAX_REQUEST_BODY_BYTES + 1)
    assert response.status_code == 413
    body = response.content.decode()
    assert "上传内容过大，未被接收" in body and "32 MB" in body


def test_a_body_within_the_limit_goes_on_to_the_page(client, county_user):
    client.force_login(county_user)
    assert client.get("/enterprises/import/").status_code == 200
    response = client.post("/enterprises/import/", {})
    assert response.status_code == 200 and "413" not in response.content.decode()


def test_the_reverse_proxy_takes_no_larger_body_than_the_portal():
    from pathlib import Path

    nginx = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    limit_mb = settings.MAX_REQUEST_BODY_BYTES // (1024 * 1024)
    assert f"client_max_body_size {limit_mb}m;" in nginx


class Counted(io.BytesIO):
    """A request body that counts what is read of it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


def test_a_file_past_the_upload_limit_is_stopped_as_it_streams(client, county_user, settings):
    """Within the body limit (its Content-Length passes), the file passes the largest upload
    any form takes: reading stops there, 413, the rest of the body never read."""
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    settings.MAX_UPLOAD_FILE_BYTES = 1024 * 1024
    client.force_login(county_user)
    body = encode_multipart(
        BOUNDARY,
        {"file": SimpleUploadedFile("名录.xlsx", b"\0" * (8 * 1024 * 1024)), "note": "x"},
    )
    stream = Counted(body)
    response = client.generic(
        "POST",
        "/enterprises/import/",
        data=b"x",  # replaced by the stream below
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413 and "超过 1 MB 的上限" in response.content.decode()
    assert stream.read_bytes < 2 * 1024 * 1024 < len(body)  # stopped near the limit


def test_a_file_within_the_upload_limit_reaches_the_form(client, county_user, settings):
    settings.MAX_UPLOAD_FILE_BYTES = 1024 * 1024
    client.force_login(county_user)
    upload = SimpleUploadedFile("名录.xlsx", b"not a workbook")
    response = client.post("/enterprises/import/", {"file": upload})
    assert response.status_code == 302  # on to the preview, which says what is wrong with it


def test_the_upload_limit_is_the_largest_file_a_form_takes():
    from portal.xlsx import MAX_UPLOAD_BYTES

    assert settings.MAX_UPLOAD_FILE_BYTES == MAX_UPLOAD_BYTES < settings.MAX_REQUEST_BODY_BYTES
