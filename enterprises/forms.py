from __future__ import annotations

import datetime as dt

from django import forms

from portal.concurrency import VersionedFormMixin
from portal.forms import StyledFormMixin
from portal.xlsx import MAX_UPLOAD_BYTES

from .choices import RemovalReason, SizeClass
from .credit_code import normalize
from .models import Accident, County, Enterprise, Industry
from .selectors import REGISTRY_FIELDS, editable_fields, enterprise_by_credit_code


class EnterpriseForm(StyledFormMixin, VersionedFormMixin, forms.ModelForm):
    """Create and edit; offers only the fields the user may write (``editable_fields``)."""

    class Meta:
        model = Enterprise
        fields = REGISTRY_FIELDS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        enterprise = self.instance if self.instance.pk else None
        allowed = editable_fields(user=user, enterprise=enterprise)
        for name in list(self.fields):
            if name not in allowed and name != "version":
                del self.fields[name]
        if "county" in self.fields:
            self.fields["county"].queryset = County.objects.current()
        if "industry" in self.fields:
            self.fields["industry"].queryset = Industry.objects.all()
        self.note = self._note(user, enterprise)

    def _note(self, user, enterprise) -> str:
        """What the page says about the fields it leaves out."""
        if "name" not in self.fields:
            return (
                "企业用户可以修改本企业的安全管理负责人和联系电话；"
                "其他信息请联系所在县市区监管部门修改。"
            )
        if "county" not in self.fields:
            county = enterprise.county if enterprise else user.county
            return f"所属区县：{county}（县市区用户只能登记本辖区企业）"
        return ""

    def clean_credit_code(self):
        return normalize(self.cleaned_data.get("credit_code"))

    def changed_data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class CloseForm(StyledFormMixin, forms.Form):
    closed_on = forms.DateField(label="关闭日期", initial=dt.date.today)
    reason = forms.CharField(label="关闭原因", max_length=200)


class CreationListAddForm(StyledFormMixin, forms.Form):
    """纳入创建名单: the firm is named by its credit code, matched within the user's scope."""

    credit_code = forms.CharField(label="统一社会信用代码", max_length=30)
    target_date = forms.DateField(label="计划达标日期")

    def __init__(self, *args, year: int, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.user = user

    def clean_credit_code(self):
        code = normalize(self.cleaned_data["credit_code"])
        self.enterprise = enterprise_by_credit_code(user=self.user, code=code)
        if self.enterprise is None:
            raise forms.ValidationError(f"本辖区没有统一社会信用代码为 {code} 的企业")
        return code

    def clean_target_date(self):
        value = self.cleaned_data["target_date"]
        if value.year != self.year:
            raise forms.ValidationError(f"计划达标日期应在{self.year}年内")
        return value


class CreationListBulkForm(StyledFormMixin, forms.Form):
    """批量纳入: by a filter of the registry, or from an xlsx of credit codes."""

    SOURCES = [("filter", "按条件筛选名录中的企业"), ("sheet", "上传统一社会信用代码Excel")]

    source = forms.ChoiceField(label="纳入方式", choices=SOURCES, widget=forms.RadioSelect)
    county = forms.ModelChoiceField(County.objects.none(), label="所属区县", required=False)
    industry = forms.ModelChoiceField(Industry.objects.all(), label="行业", required=False)
    size = forms.ChoiceField(
        label="企业规模", choices=[("", "全部"), *SizeClass.choices], required=False
    )
    not_started = forms.BooleanField(label="仅未纳入过创建的企业", required=False, initial=True)
    file = forms.FileField(
        label="Excel文件（.xlsx）",
        required=False,
        help_text="第一行为列名，其中一列名为“统一社会信用代码”，每行一家企业",
    )
    target_date = forms.DateField(label="计划达标日期", widget=forms.DateInput)

    def __init__(self, *args, year: int, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["county"].queryset = County.objects.for_user(user)

    def clean_target_date(self):
        value = self.cleaned_data["target_date"]
        if value.year != self.year:
            raise forms.ValidationError(f"计划达标日期应在{self.year}年内")
        return value

    def clean(self):
        data = super().clean()
        if data.get("source") == "sheet" and not data.get("file"):
            self.add_error("file", "请选择要上传的Excel文件")
        return data


class RemoveForm(StyledFormMixin, forms.Form):
    reason = forms.ChoiceField(label="移出原因", choices=[("", "请选择"), *RemovalReason.choices])
    evidence = forms.FileField(
        label="证明材料",
        help_text="注销或关停文件、迁出证明、行业认定或重复登记的说明等（PDF、图片或Office文档）",
    )


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


class AccidentForm(StyledFormMixin, forms.Form):
    occurred_on = forms.DateField(label="发生日期", widget=forms.DateInput())
    deaths = forms.IntegerField(label="死亡人数", min_value=0, initial=0)
    injuries = forms.IntegerField(label="受伤人数", min_value=0, initial=0)
    description = forms.CharField(
        label="经过简述", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, accident: Accident | None = None, **kwargs):
        if accident is not None:
            kwargs.setdefault(
                "initial", {name: getattr(accident, name) for name in self.base_fields}
            )
        super().__init__(*args, **kwargs)
