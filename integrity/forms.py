from django import forms

from enterprises.models import County
from lookback.rules import SPOT_CHECK_MAX, SPOT_CHECK_MIN
from portal.forms import RowChoiceField, RowIdsField, StyledFormMixin

from .models import Draw, IntegritySettings, Signal
from .rules import EXPERTS_PER_SPOT_CHECK

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SOURCE_HELP = "写明期号或开奖日期，如：中国福利彩票双色球第2026140期开奖号码"


class PublicValueFields(forms.Form):
    public_value_source = forms.CharField(
        label="公开随机数来源", max_length=200, help_text=SOURCE_HELP
    )
    public_value_date = forms.DateField(
        label="公开随机数产生日期", widget=DATE, help_text="须晚于今天：冻结时该随机数尚不存在"
    )


class FreezeForm(StyledFormMixin, PublicValueFields):
    kind = forms.ChoiceField(
        label="抽取类型", choices=[c for c in Draw.Kind.choices if c[0] != Draw.Kind.EXPERTS]
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    county = RowChoiceField(County.objects.all(), label="县市区（抽查审核）", required=False)
    counties = RowIdsField(
        County.objects.all(),
        label="县市区（回头看抽查，不选为全部）",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    size = forms.IntegerField(
        label=f"每个县市区抽查企业数（{SPOT_CHECK_MIN}-{SPOT_CHECK_MAX}）",
        min_value=SPOT_CHECK_MIN,
        max_value=SPOT_CHECK_MAX,
        initial=SPOT_CHECK_MIN,
    )
    with_findings = forms.IntegerField(
        label="其中从第1层（自查自纠或总结发现问题的企业）抽取家数",
        min_value=0,
        max_value=SPOT_CHECK_MAX,
        required=False,
        help_text="回头看抽查；不填则先从第1层抽取、不足由第2层补足",
    )
    field_order = ["kind", "year", "county", "counties", "size", "with_findings"]

    def clean(self):
        data = super().clean()
        size, first = data.get("size"), data.get("with_findings")
        if size is not None and first is not None and first > size:
            self.add_error("with_findings", "不能多于每个县市区抽查企业数")
        return data

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = County.objects.for_user(user)
        self.fields["counties"].queryset = County.objects.for_user(user)


class ExpertFreezeForm(StyledFormMixin, PublicValueFields):
    size = forms.IntegerField(
        label="抽取专家人数", min_value=1, max_value=9, initial=EXPERTS_PER_SPOT_CHECK
    )


class PerformForm(StyledFormMixin, forms.Form):
    public_value = forms.CharField(label="公开随机数", max_length=200)


class RedrawForm(StyledFormMixin, PublicValueFields):
    reason = forms.CharField(label="重新抽取理由", widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["reason"]


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="处理结果", choices=[("explain", "已说明，不予处理"), ("confirm", "确认并处理")]
    )
    action = forms.ChoiceField(
        label="处理措施（确认时必选）",
        choices=[("", "—"), *Signal.Action.choices],
        required=False,
    )
    note = forms.CharField(label="核实说明", widget=forms.Textarea(attrs={"rows": 3}))


class SettingsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = IntegritySettings
        fields = [
            "feasible_review_days",
            "min_onsite_days_large",
            "min_onsite_days_medium",
            "min_onsite_days_small",
            "min_onsite_days_micro",
            "min_reviews",
            "outlier_z",
            "fee_ratio",
            "fee_min_group",
            "failure_rate",
            "copy_min_deductions",
        ]


class CandidateForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="决定",
        choices=[("revoke", "撤销等级（依据：发生生产安全事故）"), ("keep", "保留等级")],
    )
    reason = forms.CharField(label="决定理由", widget=forms.Textarea(attrs={"rows": 3}))
