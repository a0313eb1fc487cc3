"""Accounts: logins issued by the county (its firms' users) and the city (county staff and
agency users). Every change keeps history (``portal.audit``); a login someone else chose the
password of must be given a new password at its first sign-in."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .audit import record_change, save_with_history, snapshot
from .models import User
from .policy import require
from .roles import Role

# What a user of each role is bound to (see User.clean).
BINDING = {Role.COUNTY: "county", Role.ENTERPRISE: "enterprise", Role.AGENCY: "agency"}
ACCOUNT_FIELDS = ("username", "role", "full_name", "phone", "county", "enterprise", "agency")
EDITABLE_FIELDS = ("full_name", "phone", "county", "enterprise", "agency")

# No 0/O, 1/l/I: the temporary password is read out over the phone or copied by hand.
_LETTERS = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"


def temporary_password(user: User) -> str:
    """A random password that passes the whole policy (``portal.passwords``) for ``user``."""
    while True:
        words = ["".join(secrets.choice(_LETTERS) for _ in range(4)).capitalize() for _ in range(3)]
        candidate = "-".join(words) + "-" + "".join(secrets.choice(_DIGITS) for _ in range(2))
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate


def _check_binding(actor: Any, values: dict[str, Any]) -> None:
    """The county, firm or agency named must lie in the actor's own scope (their county's
    firms for county staff): a form offers no other, and a forged post gets 403."""
    for name in BINDING.values():
        bound = values.get(name)
        if bound is None:
            continue
        if not type(bound).objects.for_user(actor).filter(pk=bound.pk).exists():
            raise PermissionDenied("不能为本辖区以外的单位开通账号")


@transaction.atomic
def account_create(*, actor: Any, role: str, username: str, **values: Any) -> tuple[User, str]:
    """Open a login of ``role``; returns it with its temporary password (shown once)."""
    require(actor, "create", User(role=role))
    _check_binding(actor, values)
    account = User(username=username, role=role, must_change_password=True, **values)
    password = temporary_password(account)
    account.set_password(password)
    account.full_clean()
    account.save()
    record_change(
        actor=actor,
        obj=account,
        action="开通账号",
        before={},
        after=snapshot(account, [*ACCOUNT_FIELDS, "must_change_password"]),
    )
    return account, password


@transaction.atomic
def account_update(*, actor: Any, account: User, **changes: Any) -> User:
    """Change a login's name, phone or what it is bound to."""
    require(actor, "edit", account)
    _check_binding(actor, changes)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    return save_with_history(account, actor=actor, action="修改账号信息", changes=changes)


@transaction.atomic
def account_disable(*, actor: Any, account: User) -> User:
    """Stop a login: its sessions end at once (Django signs out an inactive user)."""
    require(actor, "disable", account)
    if not account.is_active:
        raise ValidationError("该账号已经停用")
    return save_with_history(account, actor=actor, action="停用账号", changes={"is_active": False})


@transaction.atomic
def account_enable(*, actor: Any, account: User) -> User:
    require(actor, "enable", account)
    if account.is_active:
        raise ValidationError("该账号已经是启用状态")
    return save_with_history(account, actor=actor, action="启用账号", changes={"is_active": True})


@transaction.atomic
def account_reset_password(*, actor: Any, account: User) -> str:
    """Give the login a new temporary password (returned, shown once); the owner must change
    it at the next sign-in."""
    require(actor, "reset_password", account)
    stored = User.objects.select_for_update().get(pk=account.pk)
    before = snapshot(stored, ["must_change_password"])
    password = temporary_password(stored)
    stored.set_password(password)
    stored.must_change_password = True
    stored.save(update_fields=["password", "must_change_password"])
    record_change(
        actor=actor,
        obj=stored,
        action="重置密码",
        changes={"must_change_password": [before["must_change_password"], True]},
        note="已生成临时密码，本人首次登录时须修改",
    )
    account.password, account.must_change_password = stored.password, True
    return password


def password_changed_by_owner(*, user: User) -> None:
    """The owner chose their own password: the first-login demand is met (history kept)."""
    if not user.must_change_password:
        return
    before = snapshot(user, ["must_change_password"])
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.must_change_password = False
    record_change(
        actor=user,
        obj=user,
        action="本人修改了初始密码",
        before=before,
        after=snapshot(user, ["must_change_password"]),
    )
