"""Safe defaults and the front door (issue 15): DEBUG off unless the environment says so, the
image runs bare with the Chinese error pages, nginx in front of an unpublished gunicorn, and
X-Forwarded-Proto trusted only when a proxy is configured."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.views.defaults import server_error

ROOT = Path(__file__).resolve().parents[2]
PRINT = "import portal.settings as s; print(s.DEBUG, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"


def settings_of(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env=clean | {"PORTAL_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )
    return result


def test_debug_is_off_unless_the_environment_turns_it_on(tmp_path):
    result = settings_of(tmp_path, SECRET_KEY="x" * 50)
    assert result.stdout.split()[0] == "False", result.stderr
    assert settings_of(tmp_path, DEBUG="true").stdout.split()[0] == "True"


def test_without_debug_and_without_a_key_the_portal_refuses_to_start(tmp_path):
    result = settings_of(tmp_path)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_image_keeps_a_generated_key_in_its_volume(tmp_path):
    key_file = tmp_path / "secret_key"
    result = settings_of(tmp_path, SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    key = key_file.read_text()
    settings_of(tmp_path, SECRET_KEY_FILE=str(key_file))
    assert key_file.read_text() == key


def test_the_forwarded_scheme_is_trusted_only_behind_a_configured_proxy(tmp_path):
    alone = settings_of(tmp_path, SECRET_KEY="x" * 50)
    assert alone.stdout.strip().endswith("None")
    behind = settings_of(tmp_path, SECRET_KEY="x" * 50, TRUSTED_PROXY_COUNT="1")
    assert "HTTP_X_FORWARDED_PROTO" in behind.stdout


def test_the_dockerfile_runs_without_debug_and_with_a_key_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    env_lines = " ".join(line for line in dockerfile.splitlines() if line.startswith("ENV "))
    assert "DEBUG=false" in env_lines and "SECRET_KEY_FILE=/var/lib/portal/" in env_lines


@pytest.mark.django_db
def test_without_debug_a_missing_page_is_the_chinese_404(client, city_user, settings):
    assert settings.DEBUG is False
    client.force_login(city_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page or "未找到" in page
    assert "Traceback" not in page and "URLconf" not in page


def test_a_server_error_is_the_chinese_500(rf):
    page = server_error(rf.get("/")).content.decode()
    assert re.search(r"[\u4e00-\u9fff]", page) and "Traceback" not in page


# --- docker-compose.yml and deploy/nginx.conf, read (no Docker on the build machine) -------


def compose_services() -> dict[str, str]:
    """Each service's block of docker-compose.yml, by name."""
    text = (ROOT / "docker-compose.yml").read_text()
    body = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks = re.split(r"\n(?=  [a-z][\w-]*:\n)", "\n" + body)
    return {b.strip().split(":", 1)[0]: b for b in blocks if b.strip()}


def test_compose_publishes_only_the_proxy_and_not_gunicorn():
    services = compose_services()
    assert "ports:" not in services["web"]
    assert re.search(r"image: nginx:[\w.-]+", services["proxy"])
    assert "ports:" in services["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]
    published = [name for name, block in services.items() if "ports:" in block]
    assert published == ["proxy"]


def test_compose_tells_the_portal_that_one_proxy_stands_in_front():
    text = (ROOT / "docker-compose.yml").read_text()
    assert re.search(r'TRUSTED_PROXY_COUNT: "1"', text)
    assert 'DEBUG: "false"' in text


def test_nginx_limits_the_body_and_sets_the_forwarded_headers():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"client_max_body_size \d+m;", conf)
    assert "proxy_pass http://portal_web;" in conf and "server web:8000;" in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header Host $http_host;" in conf
