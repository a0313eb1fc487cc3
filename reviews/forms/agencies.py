"""Forms of the agencies' pages: profile, experts, the warning's follow-up, change requests,
the dynamic list's new edition."""

from __future__ import annotations

from django import forms

from enterprises.models import Industry
from portal.concurrency import VersionedFormMixin
from portal.forms import RowIdsField, StyledFormMixin

from ..choices import AgencyStanding


def industry_field(label: str) -> forms.ModelMultipleChoiceField:
    return RowIdsField(
        queryset=Industry.objects.all(),
        label=label,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AgencyForm(StyledFormMixin, VersionedFormMixin, forms.Form):
    """The city edits every field but the standing; an agency only its contact details (its
    qualification scope goes to the city for approval)."""

    name = forms.CharField(label="机构名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    contact = forms.CharField(label="联系人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    industries = industry_field("可评审行业（资质范围）")

    def __init__(self, *args, city: bool = True, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agency is not None:  # disabled fields read their initial value, bound or not
            for name in ("name", "credit_code", "contact", "phone", "address"):
                self.initial[name] = getattr(agency, name)
            self.initial["industries"] = list(agency.industries.all())
            self.initial["version"] = agency.version
        if not city:
            for name in ("name", "credit_code"):
                self.fields[name].disabled = True
            self.fields["industries"].help_text = "资质范围的变更须经市局审核批准后生效"


class ExpertForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    certificate_no = forms.CharField(label="证书编号", max_length=50, required=False)
    industries = industry_field("专业行业")
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    is_active = forms.BooleanField(label="在库", required=False, initial=True)
    spot_checks = forms.BooleanField(
        label="可参加抽查",
        required=False,
        initial=True,
        help_text="列入市局双随机抽查的专家库",
    )

    def __init__(self, *args, expert=None, city: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if expert is not None and not self.is_bound:
            for name in ("name", "certificate_no", "phone", "is_active", "spot_checks"):
                self.initial[name] = getattr(expert, name)
            self.initial["industries"] = list(expert.industries.all())
        if not city:
            self.fields["name"].help_text = "新增专家和专家信息变更须经市局审核批准后生效"


class FollowUpForm(StyledFormMixin, VersionedFormMixin, forms.Form):
    rectified = forms.TypedChoiceField(
        label="复查结论",
        choices=[("1", "整改到位（恢复在册）"), ("0", "未整改到位（清除）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 2}))


class ChangeDecisionForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="审核意见（不予批准时必填）", required=False, max_length=500)


class EditionForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label="发布说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AgencyFilterForm(forms.Form):
    q = forms.CharField(label="名称或信用代码", required=False)
    standing = forms.ChoiceField(
        label="名单状态", required=False, choices=[("", "全部")] + AgencyStanding.choices
    )
