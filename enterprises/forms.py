from __future__ import annotations

import datetime as dt

from django import forms

from portal.concurrency import VersionedFormMixin
from portal.forms import StyledFormMixin
from portal.xlsx import MAX_UPLOAD_BYTES

from .models import County, Enterprise, Industry
from .permissions import REGISTRY_FIELDS, editable_fields


class EnterpriseForm(StyledFormMixin, VersionedFormMixin, forms.ModelForm):
    """Create and edit; offers only the fields the user may write (see permissions)."""

    class Meta:
        model = Enterprise
        fields = REGISTRY_FIELDS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = editable_fields(user)
        if self.instance.pk is None and "county" not in allowed:
            allowed = [*allowed]  # county staff create in their own county (set by the service)
        for name in list(self.fields):
            if name not in allowed and name != "version":
                del self.fields[name]
        if "county" in self.fields:
            self.fields["county"].queryset = County.objects.current()
        if "industry" in self.fields:
            self.fields["industry"].queryset = Industry.objects.all()

    def clean_credit_code(self):
        from .credit_code import normalize

        return normalize(self.cleaned_data.get("credit_code"))

    def changed_data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class CloseForm(StyledFormMixin, forms.Form):
    closed_on = forms.DateField(label="关闭日期", initial=dt.date.today)
    reason = forms.CharField(label="关闭原因", max_length=200)


class CreationListAddForm(StyledFormMixin, forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30)
    target_date = forms.DateField(label="计划达标日期")

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_target_date(self):
        value = self.cleaned_data["target_date"]
        if value.year != self.year:
            raise forms.ValidationError(f"计划达标日期应在{self.year}年内")
        return value


class RemoveForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="移出原因", max_length=200, required=False)


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="Excel文件（.xlsx）", help_text="请使用本页下载的导入模板")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件过大（{upload.size // 1024 // 1024} MB），上限为"
                f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB，请分批导入"
            )
        return upload
