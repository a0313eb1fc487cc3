"""The password policy (close to 等保 2.0 level 3), every message in Chinese.

Django's own validators keep their checks but some of their messages arrive in English
(the "too short" one has no zh-hans plural form), so the policy is written here once:
length, three kinds of characters, not the user name, not a published password, and not the
current or one of the last five passwords (``PasswordHistory`` keeps their hashes).
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

# How many earlier passwords may not come back, besides the current one.
PASSWORD_HISTORY_DEPTH = 5

CHARACTER_KINDS = {
    "大写字母": str.isupper,
    "小写字母": str.islower,
    "数字": str.isdigit,
    "符号": lambda c: not c.isalnum() and not c.isspace(),
}


class MinimumLengthValidator:
    def __init__(self, min_length: int = 12):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码太短，至少需要 {self.min_length} 个字符。", code="password_too_short"
            )

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


class CharacterKindsValidator:
    """At least ``min_kinds`` of upper case, lower case, digits and symbols."""

    def __init__(self, min_kinds: int = 3):
        self.min_kinds = min_kinds

    def validate(self, password: str, user=None) -> None:
        kinds = [name for name, test in CHARACTER_KINDS.items() if any(map(test, password))]
        if len(kinds) < self.min_kinds:
            raise ValidationError(
                f"密码须至少包含大写字母、小写字母、数字、符号中的 {self.min_kinds} 种。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"须包含大写字母、小写字母、数字、符号中的至少 {self.min_kinds} 种。"


class NotUsernameValidator:
    """The user name may not stand in the password, in any case."""

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= 3 and username in password.casefold():
            raise ValidationError("密码不能包含用户名。", code="password_has_username")

    def get_help_text(self) -> str:
        return "密码不能包含用户名。"


class PublishedPasswordValidator:
    """Passwords printed in the README or the demo (named by import path, since the portal
    imports no domain app) may not be chosen by anyone; the demo seeding sets them directly."""

    def __init__(self, published: list[str] = ()):
        self.published = list(published)

    def validate(self, password: str, user=None) -> None:
        taken = {import_string(path).casefold() for path in self.published}
        if password.casefold() in taken:
            raise ValidationError(
                "该密码已公开发布（演示密码），不能使用。", code="password_published"
            )

    def get_help_text(self) -> str:
        return "不能使用公开发布的演示密码。"


class PasswordHistoryValidator:
    """Not the current password and not one of the last five; remembers each new one."""

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        from .models import PasswordHistory

        earlier = [user.password, *PasswordHistory.objects.latest_hashes(user)]
        if any(encoded and check_password(password, encoded) for encoded in earlier):
            raise ValidationError(
                f"新密码不能与当前密码或最近 {PASSWORD_HISTORY_DEPTH} 次使用过的密码相同。",
                code="password_reused",
            )

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            from .models import PasswordHistory

            PasswordHistory.objects.remember(user)

    def get_help_text(self) -> str:
        return f"不能与当前密码或最近 {PASSWORD_HISTORY_DEPTH} 次的密码相同。"
