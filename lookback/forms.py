from django import forms
from django.utils import timezone

from enterprises.choices import Grade
from enterprises.models import County
from portal.forms import RowIdsField, StyledFormMixin
from reviews.choices import WarningProblem
from reviews.selectors.agencies import agencies_reviewed_in

from .models import AgencyRating, PhaseReopening, SpotCheckOutcome


class FindingForm(StyledFormMixin, forms.Form):
    audited_result = forms.ChoiceField(
        label="审核结论", choices=[("", "未达标"), *Grade.choices], required=False
    )
    audited_score = forms.DecimalField(label="审核得分", min_value=0, max_value=100, required=False)
    note = forms.CharField(
        label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


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

    def __init__(self, *args, user=None, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the agencies that reviewed in the county that year may be rated by it.
        self.fields["agency"].queryset = agencies_reviewed_in(
            county_id=getattr(user, "county_id", None), year=year
        ).order_by("name")
        self.fields["rating"].choices = AgencyRating.Rating.choices


class StandingDecisionForm(StyledFormMixin, forms.Form):
    """The city's decision on an agency's standing, citing the ratings it rests on."""

    decision = forms.ChoiceField(label="名单决定", choices=())
    reason = forms.CharField(label="决定理由", widget=forms.Textarea(attrs={"rows": 2}))
    ratings = RowIdsField(
        queryset=None,
        label="所依据的县级考评",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    problem = forms.ChoiceField(
        label="问题类别（警告、限期整改时必填）", choices=(), required=False
    )
    requirements = forms.CharField(
        label="整改要求（警告、限期整改时必填）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    deadline = forms.DateField(
        label="整改期限（警告、限期整改时必填）", required=False, widget=forms.DateInput
    )

    def __init__(self, *args, agency=None, ratings=None, decisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [("", "请选择")] + list(decisions)
        self.fields["ratings"].queryset = ratings
        self.fields["ratings"].label_from_instance = rating_label
        self.fields["problem"].choices = [("", "请选择")] + WarningProblem.choices


def rating_label(rating: AgencyRating) -> str:
    day = timezone.localtime(rating.created_at)
    return (
        f"{rating.county}第{rating.sequence}次考评（{day.year}年{day.month}月{day.day}日）："
        f"{rating.get_rating_display()}"
    )


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
