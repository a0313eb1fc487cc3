"""Figures that are costly to compute and read on many pages, kept in Django's cache.

The cache is Redis when the portal has one (``CACHE_URL``, or a ``redis://`` Celery broker) and
a file cache under ``var/`` otherwise (no server needed). Every read and write here survives the
cache being down: a page then computes the figure itself, as if nothing were cached.

A *generation* names the current version of a family of figures: keys carry it, and
``bump(family)`` (after the change is committed, and at once for readers in the same
transaction) makes every older key unreachable without finding and deleting them.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connections, transaction

log = logging.getLogger(__name__)
T = TypeVar("T")
_MISSING = object()


def _get(key: str) -> Any:
    try:
        return cache.get(key, _MISSING)
    except Exception:  # Redis down: compute instead
        log.warning("cache unavailable for %s", key, exc_info=True)
        return _MISSING


def _set(key: str, value: Any, timeout: int | None) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        log.warning("cache unavailable for %s", key, exc_info=True)


def generation(family: str) -> str:
    """The current generation of ``family`` (made on first use)."""
    key = f"gen:{family}"
    value = _get(key)
    if value is _MISSING:
        value = str(time.time_ns())
        _set(key, value, None)
    return value


def _bump_now(family: str) -> None:
    _set(f"gen:{family}", str(time.time_ns()), None)


def bump(family: str) -> None:
    """Forget every figure of ``family``: now (readers inside the same transaction see the
    change) and again at commit (a reader who computed from the old rows meanwhile cached
    under the generation that this second bump retires)."""
    _bump_now(family)
    transaction.on_commit(lambda: _bump_now(family))


def remember(family: str, key: str, compute: Callable[[], T], *, timeout: int = 600) -> T:
    """``compute()`` once per generation of ``family`` (and at most ``timeout`` seconds)."""
    full = f"{family}:{generation(family)}:{key}"
    value = _get(full)
    if value is _MISSING:
        value = compute()
        _set(full, value, timeout)
    return value


def query_key(qs: Any) -> str:
    """A key named by the query itself, as SQL: two users of the same scope share it. Raises
    ``EmptyResultSet`` for ``qs.none()``."""
    sql, params = qs.order_by().query.get_compiler(using=qs.db).as_sql()
    vendor = connections[qs.db].vendor
    return hashlib.sha1(f"{vendor}|{sql}|{params!r}".encode()).hexdigest()


def peek(key: str) -> Any:
    """What is kept under ``key``, or ``None``."""
    value = _get(key)
    return None if value is _MISSING else value


def keep(key: str, value: Any, *, timeout: int) -> None:
    _set(key, value, timeout)
