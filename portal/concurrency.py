"""Optimistic locking: an edit states the version it started from; if someone saved in between,
the edit is refused instead of silently overwriting theirs."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
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
