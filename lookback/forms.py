from django import forms

from enterprises.choices import Grade
from enterprises.models import County
from portal.forms import StyledFormMixin

from .rules import AUDIT_SCORE_TOLERANCE


class AuditStartForm(StyledFormMixin, forms.Form):
    county = forms.ModelChoiceField(County.objects.all(), label="县市区")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    tolerance = forms.DecimalField(
        label="分数误差容限（分）", initial=AUDIT_SCORE_TOLERANCE, min_value=0, max_value=100
    )
    seed = forms.CharField(
        label="随机种子",
        required=False,
        max_length=64,
        help_text="留空则自动生成；种子与总体一并记录，任何人可复算",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = County.objects.for_user(user)


class FindingForm(StyledFormMixin, forms.Form):
    audited_result = forms.ChoiceField(
        label="审核结论", choices=[("", "未达标"), *Grade.choices], required=False
    )
    audited_score = forms.DecimalField(label="审核得分", min_value=0, max_value=100, required=False)
    note = forms.CharField(
        label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RedrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="重新抽取理由", widget=forms.Textarea(attrs={"rows": 2}))
