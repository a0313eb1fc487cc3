"""Accounts, roles and the append-only history of changes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .roles import Role
from .scoping import ScopedQuerySet


class UserQuerySet(ScopedQuerySet):
    """County staff see their colleagues and the users of their county's firms (whose logins
    they issue); a firm and an agency see their own colleagues; the city everyone."""

    county_lookup = "county"
    enterprise_lookup = "enterprise"
    agency_lookup = "agency"

    def scope_county(self, user):
        return self.filter(
            models.Q(county=user.county_id) | models.Q(enterprise__county=user.county_id)
        )


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. County, enterprise and agency users are bound to one object."""

    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.ENTERPRISE)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    # Set when someone else chose the password (a new login, a reset): the next sign-in goes
    # to the password change before any other page (portal.login.ForcePasswordChange).
    must_change_password = models.BooleanField("须修改初始密码", default=False)
    # Kept by portal.notifications so the bell on every page costs no query (the user row is
    # loaded anyway); changed only with F() expressions, so concurrent writers add up.
    unread_notifications = models.PositiveIntegerField("未读通知数", default=0, editable=False)
    county = models.ForeignKey(
        "enterprises.County",
        verbose_name="所属区县",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="所属企业",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    agency = models.ForeignKey(
        "reviews.ReviewAgency",
        verbose_name="所属评审机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        bindings = {
            Role.COUNTY: ("county", "县市区用户必须选择所属区县"),
            Role.ENTERPRISE: ("enterprise", "企业用户必须选择所属企业"),
            Role.AGENCY: ("agency", "评审机构用户必须选择所属机构"),
        }
        errors = {}
        for role, (field, message) in bindings.items():
            bound = getattr(self, f"{field}_id") is not None
            if self.role == role and not bound:
                errors[field] = message
            elif self.role != role and bound:
                errors[field] = "该角色不应绑定此项"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Administrators use Django's admin; nobody else does.
        self.is_staff = self.role == Role.ADMIN or self.is_superuser
        super().save(*args, **kwargs)


def _field_label(model, name: str) -> str:
    """A field's Chinese name; a reverse relation (e.g. a review's team) by its model's name."""
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a field since removed, or a label a service wrote
        # Services write labels of their own ("1.2 扣分"); a removed field's code name is no
        # word for a page.
        return name if not name.isascii() else "其他项目"
    label = getattr(field, "verbose_name", None) or field.related_model._meta.verbose_name
    return str(label)


def _readable(value):
    """A stored value as a person reads it: yes/no for a boolean (rows kept before booleans
    were written as 是/否 still show so), lists and mappings as words, never Python's repr."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(str(_readable(v)) for v in value) or None
    if isinstance(value, dict):
        return "；".join(f"{k}：{_readable(v)}" for k, v in value.items()) or None
    return value


class AuditEntry(models.Model):
    """One change to one object: who, when, what it was before and after. Append-only.

    Written by the services that make the change (see ``portal.audit``), never by signals.
    ``changes`` maps a field name to ``[before, after]`` in display form.
    """

    # No index of its own: the (content_type, object_id, -at) index below serves it.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    action = models.CharField("操作", max_length=100)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.object_repr} {self.action}"

    @property
    def changes_display(self) -> list[tuple[str, object, object]]:
        """(field's Chinese name, before, after) for the history tables."""
        # get_for_id is served from ContentType's cache: no query per history row.
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        rows = []
        for name, values in self.changes.items():
            before, after = (
                (values + [None, None])[:2] if isinstance(values, list) else (None, values)
            )
            label = _field_label(model, name)
            rows.append((label, _readable(before), _readable(after)))
        return rows


class JobQuerySet(ScopedQuerySet):
    """People see the jobs they started; the city sees all."""

    def scope_county(self, user):
        return self.filter(owner=user)

    scope_enterprise = scope_agency = scope_county


class Job(models.Model):
    """A long-running piece of work done by a Celery task, with its progress for the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=50, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class NotificationQuerySet(ScopedQuerySet):
    """Everyone sees only the notifications addressed to them, the city included."""

    def scope_city(self, user):
        return self.filter(recipient=user)

    scope_county = scope_enterprise = scope_agency = scope_city

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one user, saying why they got it and linking to the object.

    Written by ``portal.notifications.notify`` (and in bulk by the reminder job)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The event's kind (``portal.events``), by which a user may turn its e-mail off.
    kind = models.CharField("通知类型", max_length=60, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    reason = models.CharField("通知原因", max_length=200, blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class MailOptOut(models.Model):
    """A kind of notification (``portal.events``) the user reads in the bell only, without
    the e-mail. Set on the notification settings page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_opt_outs"
    )
    kind = models.CharField("通知类型", max_length=60)

    class Meta:
        verbose_name = "不发邮件的通知类型"
        verbose_name_plural = "不发邮件的通知类型"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_opt_out_per_kind")
        ]

    def __str__(self) -> str:
        return self.kind


class PasswordHistoryManager(models.Manager):
    def latest_hashes(self, user) -> list[str]:
        from .passwords import PASSWORD_HISTORY_DEPTH

        # The newest entry is the current password; the five before it are the history.
        rows = self.filter(user=user).order_by("-id")[: PASSWORD_HISTORY_DEPTH + 1]
        return list(rows.values_list("password", flat=True))

    def remember(self, user) -> None:
        """Store the user's new hash and forget all but the newest six."""
        from .passwords import PASSWORD_HISTORY_DEPTH

        self.create(user=user, password=user.password)
        keep = self.filter(user=user).order_by("-id")[: PASSWORD_HISTORY_DEPTH + 1]
        self.filter(user=user).exclude(pk__in=list(keep.values_list("pk", flat=True))).delete()


class PasswordHistory(models.Model):
    """The hash of a password a user has set (the current one and the five before it), so
    that the policy can refuse an old password coming back (等保 2.0)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码摘要", max_length=128)
    changed_at = models.DateTimeField("修改时间", auto_now_add=True)

    objects = PasswordHistoryManager()

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"

    def __str__(self) -> str:
        return f"{self.user} {self.changed_at:%Y-%m-%d}"


class SecurityEventQuerySet(ScopedQuerySet):
    """The city reads the security log; no county, firm or agency sees any of it."""

    def older_than(self, cutoff) -> SecurityEventQuerySet:
        return self.filter(at__lt=cutoff)


class SecurityEvent(models.Model):
    """One security-relevant event (等保 2.0 audit records; the Cybersecurity Law keeps network
    logs at least six months): who, what, when and from which address. Append-only: written
    by the receivers and the middleware of ``portal.security``, removed only by the nightly
    prune past ``SECURITY_LOG_RETENTION_DAYS``."""

    class Kind(models.TextChoices):
        LOGIN = "login", "登录成功"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED_OUT = "locked_out", "账户锁定"
        LOGOUT = "logout", "退出登录"
        PASSWORD_CHANGED = "password_changed", "修改密码"
        FORBIDDEN = "forbidden", "越权访问被拒绝"
        EXPORT = "export", "导出数据"
        DOWNLOAD = "download", "下载文件"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    kind = models.CharField("事件", max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The name as typed (a failed login may name no user at all); kept if the user is deleted.
    username = models.CharField("用户名", max_length=150, blank=True, db_index=True)
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    method = models.CharField("请求方式", max_length=10, blank=True)
    path = models.CharField("访问路径", max_length=300, blank=True)
    detail = models.CharField("说明", max_length=300, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = "安全日志"
        verbose_name_plural = "安全日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username}"


class ScheduledRun(models.Model):
    """One run of a scheduled job for its slot (a day, a week): claimed in the job's own
    transaction, so two beat processes started by mistake run it once; a run that fails rolls
    its claim back and may be retried."""

    task = models.CharField("任务", max_length=100)
    slot = models.CharField("周期", max_length=40)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = "定时任务运行记录"
        constraints = [
            models.UniqueConstraint(fields=["task", "slot"], name="one_run_per_task_slot")
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.slot}"
