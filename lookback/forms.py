from django import forms

from enterprises.choices import Grade
from enterprises.models import County
from portal.forms import StyledFormMixin
from reviews.models import ReviewAgency

from .models import AgencyRating, PhaseReopening, SpotCheckOutcome
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


class CampaignForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class PhaseReopenForm(StyledFormMixin, forms.Form):
    # The counties are read once into the choices (a model choice field reads them again at
    # every rendering of its widget).
    county = forms.TypedChoiceField(label="县市区", coerce=int)
    phase = forms.ChoiceField(label="阶段", choices=PhaseReopening.Phase.choices)
    until = forms.DateField(label="开放至", widget=forms.DateInput)
    reason = forms.CharField(
        label="重新开放理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.counties = County.objects.for_user(user).current()
        self.fields["county"].choices = [("", "请选择"), *self.counties.values_list("pk", "name")]

    def clean_county(self) -> County:
        return self.counties.get(pk=self.cleaned_data["county"])


class SelfCheckForm(StyledFormMixin, forms.Form):
    system_built = forms.BooleanField(label="安全生产管理体系已建立", required=False)
    runs_daily = forms.BooleanField(label="日常管理工作正常运行", required=False)
    agency_performed = forms.BooleanField(label="评审机构在评审过程中认真履职", required=False)
    problems = forms.CharField(
        label="发现的问题", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    rectification = forms.CharField(
        label="整改措施", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AgencyRatingForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(queryset=None, label="评审机构")
    rating = forms.ChoiceField(label="考评结果", choices=())
    reason = forms.CharField(label="考评意见", widget=forms.Textarea(attrs={"rows": 2}))
    rectify_by = forms.DateField(
        label="整改期限（警告时必填）", required=False, widget=forms.DateInput
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = ReviewAgency.objects.for_user(user)
        self.fields["rating"].choices = AgencyRating.Rating.choices


class SpotCheckDrawForm(StyledFormMixin, forms.Form):
    county = forms.ModelChoiceField(County.objects.all(), label="县市区")
    size = forms.IntegerField(label="抽查企业数（3-5）", min_value=3, max_value=5, initial=3)
    seed = forms.CharField(label="随机种子（可留空）", required=False, max_length=64)


class SpotCheckOutcomeForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(label="检查结论", choices=())
    rectify_by = forms.DateField(label="整改期限", required=False, widget=forms.DateInput)
    experts = forms.CharField(label="检查专家", required=False, max_length=200)
    note = forms.CharField(label="检查情况", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [
            c for c in SpotCheckOutcome.Outcome.choices if c[0] != SpotCheckOutcome.Outcome.PENDING
        ]
