"""Optimistic locking: an edit states the version it started from; if someone saved in between,
the edit is refused instead of silently overwriting theirs."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F

CONCURRENT_EDIT = "该记录已被他人修改，请刷新页面后重新编辑（您的修改尚未保存）。"


class ConcurrentEditError(ValidationError):
    """A refusal like any other, so one ``except ValidationError`` serves every view."""

    def __init__(self, message: str = CONCURRENT_EDIT) -> None:
        super().__init__(message, code="concurrent_edit")


class VersionedModel(models.Model):
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        abstract = True


def save_versioned(obj: VersionedModel, *, expected_version: int, fields: list[str]) -> None:
    """Write ``fields`` of ``obj`` only if the row still has ``expected_version``."""
    values = {name: getattr(obj, obj._meta.get_field(name).attname) for name in fields}
    updated = (
        type(obj)
        ._base_manager.filter(pk=obj.pk, version=expected_version)
        .update(version=F("version") + 1, **values)
    )
    if not updated:
        raise ConcurrentEditError()
    obj.version = expected_version + 1


class VersionedFormMixin(forms.Form):
    """Adds the hidden version the edit started from; read it with ``form.expected_version``."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and not self.is_bound:
            self.initial["version"] = instance.version

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")


def insert_once(obj: models.Model, *, taken: str, unique: list[str]) -> None:
    """Insert a row with a natural key (``unique``, its fields) that a second click may be
    inserting at the same moment: whoever comes second is refused with ``taken`` (a
    ValidationError, said on the page), never a database error. ``full_clean`` runs first, its
    own unique check left to this function so the refusal reads the same both ways."""
    obj.full_clean(validate_unique=False, validate_constraints=False)
    key = {name: getattr(obj, obj._meta.get_field(name).attname) for name in unique}
    if type(obj)._base_manager.filter(**key).exists():
        raise ValidationError(taken, code="taken")
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives the refusal
            obj.save(force_insert=True)
    except IntegrityError as error:
        raise ValidationError(taken, code="taken") from error
