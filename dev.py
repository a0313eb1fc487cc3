#!/usr/bin/env python3
"""The portal's two commands, needing nothing but Python 3.11+:

    python3 dev.py run    # venv, install, migrate, demo data, web + Celery worker/beat
    python3 dev.py test   # venv, install, lint, checks, the suite on SQLite and PostgreSQL

Only the standard library is used here, so this file runs before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/portal_ci"
REDIS_DEFAULT = "redis://127.0.0.1:6379/14"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; tests/e2e drives it, nothing downloaded


def say(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def sh(*args: str | Path, env: dict | None = None, check: bool = True) -> int:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if check and result.returncode != 0:
        sys.exit(result.returncode)
    return result.returncode


def requirements(extras: tuple[str, ...]) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    return reqs


def ensure_venv(extras: tuple[str, ...] = ()) -> None:
    """Create .venv and install the pinned ranges; skipped when nothing changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs on any python3
        sys.exit("需要 Python 3.11 或更新版本")
    if not PY.exists():
        # A half-made venv, or a link left where the venv belongs, is replaced, not reused.
        if VENV.is_symlink() or VENV.is_file():
            VENV.unlink()
        elif VENV.exists():
            shutil.rmtree(VENV)
        say("创建虚拟环境 .venv")
        venv.create(VENV, with_pip=True)
    reqs = requirements(extras)
    stamp = VENV / ".installed"
    digest = hashlib.sha256("\n".join(sorted(reqs)).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("安装依赖")
    sh(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", *reqs)
    stamp.write_text(digest)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def run(args: argparse.Namespace) -> None:
    ensure_venv()
    env = os.environ.copy()
    # DEBUG is off by default (portal/settings.py); this development run turns it on for
    # itself, so the demo logins are created and Django serves the static files.
    env.setdefault("DEBUG", "true")
    manage = (PY, "manage.py")
    say("迁移数据库")
    sh(*manage, "migrate", "--noinput", "-v", "1", env=env)
    say("演示数据（仅在数据库为空时创建）")
    sh(*manage, "seed_demo", "--if-empty", env=env)
    say(f"启动 Celery worker + beat 与 Web 服务：http://{args.addr}/")
    worker = subprocess.Popen(
        [str(PY), "-m", "celery", "-A", "portal", "worker", "-B", "--pool=solo", "-l", "INFO"],
        cwd=ROOT,
        env=env,
    )
    web = subprocess.Popen([str(PY), "manage.py", "runserver", args.addr], cwd=ROOT, env=env)
    try:
        while worker.poll() is None and web.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (web, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in (web, worker):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def checks(env: dict) -> None:
    """Lint, Django's checks (also as production), and no model change without a migration."""
    say("ruff check")
    sh(PY, "-m", "ruff", "check", ".")
    say("Django 检查与迁移检查")
    sh(PY, "manage.py", "check", env=env)
    sh(PY, "manage.py", "makemigrations", "--check", "--dry-run", env=env)
    deploy_env = env | {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "a.b",
    }
    sh(PY, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=deploy_env)


def test(args: argparse.Namespace) -> None:
    ensure_venv(("test",))
    strict = os.environ.get("CI") == "true" or args.require_services
    env = os.environ.copy()
    env.pop("DATABASE_URL", None)
    env.setdefault("PORTAL_VAR_DIR", str(ROOT / "var" / "test"))
    env.setdefault("DEBUG", "true")  # the checks below run as a developer's machine does
    checks(env)

    pytest = (PY, "-m", "pytest", *args.pytest_args)
    pg_url = os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)
    redis_url = os.environ.get("TEST_REDIS_URL", REDIS_DEFAULT)
    services = reachable("127.0.0.1", 5432) and reachable("127.0.0.1", 6379)
    # The browser walks run once: on PostgreSQL when it is here (the production database), else
    # on SQLite. Both rounds run everything else. (Keeps CI well under 20 minutes.)
    walks_later = services and not args.pytest_args
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            sys.exit(f"CI 需要 Chromium（{CHROMIUM}）运行浏览器全流程测试")
        say(f"未找到 Chromium（{CHROMIUM}），跳过浏览器全流程测试")
        print("    安装 Debian 的 chromium 软件包后重跑即可：apt-get install chromium", flush=True)
    if not services:
        if strict:
            sys.exit("CI 需要 PostgreSQL (5432) 与 Redis (6379)，但无法连接")
        say("测试：SQLite")
        sh(*pytest, env=env)
        say("未发现 PostgreSQL/Redis：跳过 PostgreSQL 轮次（设置服务后重跑即可）")
        chromium_note()
        return
    # Two cores, two passes: PostgreSQL (with the real Redis, the worker and the walks) runs
    # beside SQLite, each with its own var/ folder; its output follows SQLite's.
    pg_var = Path(env["PORTAL_VAR_DIR"] + "-pg")
    pg_var.mkdir(parents=True, exist_ok=True)
    pg_env = env | {
        "DATABASE_URL": pg_url,
        "TEST_REDIS_URL": redis_url,
        "REQUIRE_REDIS": "1",
        "PORTAL_VAR_DIR": str(pg_var),
    }
    pg_log = pg_var / "pytest.log"
    say(f"测试：PostgreSQL + 真实 Redis 与 Celery worker（同时运行，输出见下方，亦存于 {pg_log}）")
    with pg_log.open("w") as log:
        pg = subprocess.Popen(
            [str(a) for a in pytest], cwd=ROOT, env=pg_env, stdout=log, stderr=subprocess.STDOUT
        )
        say("测试：SQLite" + ("（浏览器全流程测试在 PostgreSQL 轮次运行）" if walks_later else ""))
        sqlite_rc = sh(*pytest, *(("-m", "not e2e") if walks_later else ()), env=env, check=False)
        pg_rc = pg.wait()
    say("测试：PostgreSQL 轮次的输出")
    print(pg_log.read_text(), flush=True)
    if sqlite_rc or pg_rc:
        sys.exit(sqlite_rc or pg_rc)
    chromium_note()


def chromium_note() -> None:
    """Repeat at the end, where it is read, that the browser walk did not run."""
    if not CHROMIUM.exists():
        say(f"注意：未找到 Chromium（{CHROMIUM}），本次跳过了浏览器全流程测试")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="安装并启动平台（SQLite + 内置 Celery 代理）")
    p_run.add_argument("--addr", default="127.0.0.1:8000")
    p_run.set_defaults(func=run)
    p_test = sub.add_parser("test", help="安装测试依赖并运行全部检查与测试")
    p_test.add_argument(
        "--require-services", action="store_true", help="缺少 PostgreSQL/Redis 时失败"
    )
    p_test.add_argument("pytest_args", nargs="*", help="传给 pytest 的参数")
    p_test.set_defaults(func=test)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
