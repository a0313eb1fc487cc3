"""The history of changes: services call ``record_change`` (one object) or ``record_many``
(a bulk write) in the same transaction as the change itself, with the acting user passed
explicitly. This module is the one writer of the ``AuditEntry`` table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import AuditEntry


def display_value(obj: models.Model, field_name: str) -> Any:
    """A field's value as a person reads it: choice labels, related objects' names, ISO dates."""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field_name)
    if value is None:
        return None
    if isinstance(value, bool):
        return yes_no(value)
    if getattr(field, "choices", None):
        return getattr(obj, f"get_{field_name}_display")()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return f"{chinese_date(local)} {local:%H:%M}"
    if isinstance(value, dt.date):
        return chinese_date(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def chinese_date(day: dt.date) -> str:
    """2016年6月30日, as every page writes a date."""
    return f"{day.year}年{day.month}月{day.day}日"


def yes_no(value: bool) -> str:
    """A yes-or-no field as a page says it (never "True" or "False")."""
    return "是" if value else "否"


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: display_value(obj, name) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def build_entry(
    *,
    actor: Any,
    obj: models.Model,
    action: str,
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
) -> AuditEntry:
    """The unsaved row of one change (``record_change`` saves it, ``record_many`` writes many)."""
    return AuditEntry(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        changes=changes or {},
        note=note,
    )


def record_change(
    *,
    actor: Any,
    obj: models.Model,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    changes: dict[str, list[Any]] | None = None,
) -> AuditEntry | None:
    """Keep one change. With before/after given and nothing different, nothing is written;
    ``changes`` gives the ``{field: [before, after]}`` a service has worked out itself."""
    if changes is None:
        changes = diff(before or {}, after or {}) if after is not None else {}
        if after is not None and not changes and not note:
            return None
    entry = build_entry(actor=actor, obj=obj, action=action, changes=changes, note=note)
    entry.save()
    return entry


def record_many(
    *,
    actor: Any,
    model: type[models.Model],
    action: str,
    items: Iterable[tuple[Any, ...]],
    note: str = "",
) -> None:
    """Keep one change per object of ``model`` for a bulk write (an import, a nightly batch):
    ``items`` are ``(pk, object_repr, changes)``, or ``(pk, object_repr, changes, note)`` for
    a note of the row's own. The rows are those ``build_entry`` makes, written with
    ``portal.bulk`` (one multi-row INSERT or COPY per batch, no per-object SQL compiling)."""
    from .bulk import bulk_insert

    base = {
        "content_type_id": ContentType.objects.get_for_model(model).pk,
        "actor_id": actor.pk if getattr(actor, "pk", None) else None,
        "action": action,
        "note": note,
    }
    rows = []
    for pk, name, changes, *own in items:
        row = {**base, "object_id": str(pk), "object_repr": str(name)[:200]}
        row["changes"] = changes or {}
        if own:
            row["note"] = own[0]
        rows.append(row)
    bulk_insert(AuditEntry, rows)


def history_for(obj: models.Model):
    """The object's history, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


def history_for_many(model: type[models.Model], pks) -> models.QuerySet[AuditEntry]:
    """The history of several objects of one model, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in pks],
    ).select_related("actor")


def save_with_history(
    obj: models.Model,
    *,
    actor: Any,
    action: str,
    changes: dict[str, Any],
    expected_version: int | None = None,
    note: str = "",
) -> models.Model:
    """The tail of every edit: take "before" from the stored row (never from an instance a
    form has already changed), apply ``changes``, validate, save (refusing a stale version on a
    versioned model), record the history; ``obj`` is updated to match. Call it inside the
    service's transaction."""
    from .concurrency import save_versioned

    stored = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
    fields = list(changes)
    before = snapshot(stored, fields)
    for name, value in changes.items():
        setattr(stored, name, value)
    stored.full_clean()
    if hasattr(stored, "version"):
        version = stored.version if expected_version is None else expected_version
        save_versioned(stored, expected_version=version, fields=fields)
    else:
        stored.save(update_fields=fields)
    record_change(
        actor=actor,
        obj=stored,
        action=action,
        before=before,
        after=snapshot(stored, fields),
        note=note,
    )
    for name in [*fields, *(["version"] if hasattr(stored, "version") else [])]:
        setattr(obj, name, getattr(stored, name))
    return obj
