"""Settings come from the environment; production refuses to start without its secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _import_settings(tmp_path, **env):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")
    }
    environment |= {"PORTAL_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import portal.settings as s; print(s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = _import_settings(tmp_path, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_local_run_generates_a_key_once_and_uses_sqlite(tmp_path):
    result = _import_settings(tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout
    key = (tmp_path / "secret_key").read_text()
    _import_settings(tmp_path, DEBUG="true")
    assert (tmp_path / "secret_key").read_text() == key


def test_database_url_selects_postgresql(tmp_path):
    result = _import_settings(
        tmp_path, DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:5432/x"
    )
    assert "postgresql" in result.stdout
