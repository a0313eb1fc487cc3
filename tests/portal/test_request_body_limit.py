"""An oversized request body is refused before it is read (issue 15: a 150 MB body was read
whole before the 10 MB check): 413 with a Chinese page, whoever sends it, nothing read."""

import io

import pytest
from django.conf import settings

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
