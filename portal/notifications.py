"""Telling users things: an in-app notification (the bell) and, when the user has an address,
an e-mail through Django's mail settings, sent after the transaction commits.

Every app may call ``notify``; ``portal`` stays free of domain imports by taking the object
generically. Bulk senders (the reminder job) build rows with ``build_notification`` and send
mail with ``send_notification_mail``.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import MailOptOut, Notification

logger = logging.getLogger(__name__)


def _object_url(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    get_url = getattr(obj, "get_absolute_url", None)
    return get_url() if get_url else ""


def build_notification(
    *,
    recipient: Any,
    title: str,
    reason: str,
    obj: models.Model | None = None,
    body: str = "",
    url: str = "",
    kind: str = "",
) -> Notification:
    """An unsaved notification (for ``bulk_create``)."""
    return Notification(
        kind=kind,
        recipient_id=getattr(recipient, "pk", recipient),
        title=title[:200],
        body=body,
        reason=reason[:200],
        url=url or _object_url(obj),
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
    )


def notify(
    *,
    recipients: Iterable[Any],
    title: str,
    reason: str,
    obj: models.Model | None = None,
    body: str = "",
    url: str = "",
    kind: str = "",
    mail: bool = True,
) -> list[Notification]:
    """Notify each recipient in the app and, when ``mail``, by e-mail (after commit), unless
    they turned off the e-mail of this ``kind`` (``portal.events`` names the kinds). Returns
    the rows."""
    rows = [
        build_notification(
            recipient=r, title=title, reason=reason, obj=obj, body=body, url=url, kind=kind
        )
        for r in recipients
    ]
    Notification.objects.bulk_create(rows)
    count_unread([row.recipient_id for row in rows])
    if mail:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: queue_notification_mail(ids))
    return rows


MAIL_CHUNK = 500


def queue_notification_mail(notification_ids: list[int]) -> None:
    """Hand the e-mails to the worker in chunks (a job's run time and retries stay apart from
    the mail server's). With the broker unreachable they are sent here and now instead."""
    from .tasks import send_notification_mail_task

    for start in range(0, len(notification_ids), MAIL_CHUNK):
        chunk = notification_ids[start : start + MAIL_CHUNK]
        try:
            send_notification_mail_task.apply_async(args=[chunk], retry=False)
        except Exception:  # noqa: BLE001 - any broker failure
            logger.warning("邮件任务无法进入队列，直接发送", exc_info=True)
            send_notification_mail(chunk)


def send_notification_mail(notification_ids: list[int]) -> int:
    """E-mail the notifications whose recipients have an address and have not turned off the
    e-mail of that kind; returns how many were sent.

    A failing mail server is logged, never raised: the in-app notification is already there."""
    opted_out = MailOptOut.objects.filter(user=OuterRef("recipient"), kind=OuterRef("kind"))
    rows = list(
        Notification.objects.filter(pk__in=notification_ids)
        .exclude(recipient__email="")
        .exclude(Exists(opted_out))
        .select_related("recipient")
    )
    messages = []
    for row in rows:
        address = row.recipient.email
        text = "\n\n".join(
            part
            for part in (row.title, row.body, f"通知原因：{row.reason}", absolute(row.url))
            if part
        )
        messages.append(
            EmailMessage(
                subject=f"[标准化平台] {row.title}",
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
            )
        )
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            return connection.send_messages(messages) or 0
    except Exception:  # noqa: BLE001 - mail trouble must not undo the work
        logger.exception("通知邮件发送失败（%s 封）", len(messages))
        return 0


def absolute(url: str) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "")
    return f"{base.rstrip('/')}{url}" if url and base else url


def count_unread(recipient_ids: Iterable[int]) -> None:
    """Add new notifications to their recipients' unread counters: one UPDATE per distinct
    number received (and per 2,000 users), not one per user."""
    by_number: dict[int, list[int]] = defaultdict(list)
    for user_id, number in Counter(recipient_ids).items():
        by_number[number].append(user_id)
    User = get_user_model()
    for number, user_ids in by_number.items():
        for start in range(0, len(user_ids), 2000):
            User.objects.filter(pk__in=user_ids[start : start + 2000]).update(
                unread_notifications=F("unread_notifications") + number
            )


def mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    qs = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    with transaction.atomic():
        marked = qs.update(read_at=timezone.now())
        if marked:
            get_user_model().objects.filter(pk=user.pk).update(
                unread_notifications=Greatest(F("unread_notifications") - marked, 0)
            )
    return marked


def mail_opt_outs(user: Any) -> set[str]:
    """The kinds of notification the user gets in the bell only."""
    return set(MailOptOut.objects.filter(user=user).values_list("kind", flat=True))


def mail_preferences_save(*, user: Any, kinds: Iterable[str], mailed: Iterable[str]) -> None:
    """Of ``kinds`` (those the settings page offered), e-mail ``mailed`` and no others."""
    kinds, mailed = set(kinds), set(mailed)
    with transaction.atomic():
        MailOptOut.objects.filter(user=user, kind__in=mailed).delete()
        MailOptOut.objects.bulk_create(
            [MailOptOut(user=user, kind=k) for k in sorted(kinds - mailed)], ignore_conflicts=True
        )
