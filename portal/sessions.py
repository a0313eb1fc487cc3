"""Django's database sessions, except that a database out of reach is said to be one.

A signed-in session is saved once a minute of use (``portal.login.IdleSessionMiddleware``: the
idle limit). Django turns any database error while updating it into ``UpdateError``, which the
session middleware answers with a 400 ("the session was deleted"): while PostgreSQL restarts, a
signed-in user would see a bad-request page. A lost connection is raised as itself instead, so
the portal answers its 503 page that asks to retry (``portal.views.server_error``)."""

from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, OperationalError | InterfaceError):
                raise error.__context__ from None
            raise
