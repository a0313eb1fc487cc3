"""The permission matrix helper: every view's tests state who gets what."""

from __future__ import annotations

from django.test import Client


def assert_access(url: str, expected: dict, *, method: str = "get", data=None) -> None:
    """``expected`` maps a user (or None for anonymous) to the status code they must get.

    Anonymous users are sent to the login page (302 to /accounts/login/)."""
    failures = []
    for user, status in expected.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(url, data or {})
        if response.status_code != status:
            who = "anonymous" if user is None else f"{user.username}({user.role})"
            failures.append(f"{who}: expected {status}, got {response.status_code}")
        if user is None and status == 302:
            assert "/accounts/login/" in response["Location"], response["Location"]
    assert not failures, f"{method.upper()} {url}: " + "; ".join(failures)
