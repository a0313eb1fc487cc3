from django import forms
from django.utils import timezone

from portal.forms import StyledFormMixin

from .choices import CheckPoint, Finding, FollowUpResult
from .models import LegalBasis
from .rules import MIN_INSPECTORS

INSPECTOR_ROWS = 4


def _today():
    return timezone.localdate()


class RefusalForm(StyledFormMixin, forms.Form):
    notice_no = forms.CharField(label="告知书文号", max_length=60)
    served_on = forms.DateField(label="送达日期", widget=forms.DateInput, initial=_today)
    firm_answer = forms.CharField(
        label="企业答复", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="企业拒绝开展标准化创建的书面或口头答复",
    )  # fmt: skip


class CaseOpenForm(StyledFormMixin, forms.Form):
    opened_on = forms.DateField(label="立案日期", widget=forms.DateInput, initial=_today)
    cause = forms.CharField(
        label="案由", max_length=200, initial="不具备安全生产条件、拒不开展安全生产标准化创建"
    )


class _InspectionFields(forms.Form):
    """The 现场检查记录: date and place, the inspectors, a finding and evidence on each of the
    five points (the service refuses fewer than two inspectors or a point left blank). The rows
    are added here, before ``StyledFormMixin`` styles every field."""

    inspected_on = forms.DateField(label="检查日期", widget=forms.DateInput, initial=_today)
    place = forms.CharField(label="检查地点", max_length=200)
    firm_present = forms.CharField(label="企业在场人员", max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, INSPECTOR_ROWS + 1):
            required = n <= MIN_INSPECTORS
            self.fields[f"inspector_{n}"] = forms.CharField(
                label=f"执法人员{n}", max_length=50, required=required
            )
            self.fields[f"certificate_{n}"] = forms.CharField(
                label=f"执法证号{n}", max_length=50, required=required
            )
        for point in CheckPoint:
            self.fields[f"finding_{point}"] = forms.ChoiceField(
                label=f"{point.label}：检查结论", choices=Finding.choices, widget=forms.RadioSelect
            )
            self.fields[f"evidence_{point}"] = forms.CharField(
                label=f"{point.label}：检查情况及证据", widget=forms.Textarea(attrs={"rows": 2})
            )


class InspectionForm(StyledFormMixin, _InspectionFields):
    def point_rows(self):
        return [(p.label, self[f"finding_{p}"], self[f"evidence_{p}"]) for p in CheckPoint]

    def inspector_rows(self):
        return [
            (self[f"inspector_{n}"], self[f"certificate_{n}"]) for n in range(1, INSPECTOR_ROWS + 1)
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "inspected_on": data["inspected_on"],
            "place": data["place"],
            "firm_present": data["firm_present"],
            "inspectors": [
                (data[f"inspector_{n}"], data[f"certificate_{n}"])
                for n in range(1, INSPECTOR_ROWS + 1)
            ],
            "findings": {
                p.value: (data[f"finding_{p}"], data[f"evidence_{p}"]) for p in CheckPoint
            },
        }


class ViolationForm(StyledFormMixin, forms.Form):
    basis = forms.ModelChoiceField(
        LegalBasis.objects.filter(is_active=True), label="违法行为及处罚依据", empty_label="请选择"
    )
    facts = forms.CharField(label="违法事实", widget=forms.Textarea(attrs={"rows": 2}))


class OrderForm(StyledFormMixin, forms.Form):
    order_no = forms.CharField(label="责令限期整改指令书文号", max_length=60)
    ordered_on = forms.DateField(label="责令改正日期", widget=forms.DateInput, initial=_today)
    rectify_by = forms.DateField(label="整改期限", widget=forms.DateInput)


class DecisionForm(StyledFormMixin, forms.Form):
    """The fine starts at the upper limit; a lower one needs a reason (the service refuses)."""

    number = forms.CharField(label="处罚决定书文号", max_length=60)
    decided_on = forms.DateField(label="决定日期", widget=forms.DateInput, initial=_today)
    amount = forms.DecimalField(label="罚款金额（元）", min_value=0, decimal_places=2)
    below_limit_reason = forms.CharField(
        label="低于上限的理由", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="通知要求发现违法行为的一律按规定上限处罚；低于上限须写明理由",
    )  # fmt: skip


class FollowUpForm(StyledFormMixin, forms.Form):
    followed_up_on = forms.DateField(label="复查日期", widget=forms.DateInput, initial=_today)
    result = forms.ChoiceField(label="复查结论", choices=FollowUpResult.choices)
    note = forms.CharField(
        label="复查情况", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="逾期未改正的，写明依法加重处理的措施（如责令停产停业整顿、加处罚款）",
    )  # fmt: skip


class CloseForm(StyledFormMixin, forms.Form):
    closed_on = forms.DateField(label="结案日期", widget=forms.DateInput, initial=_today)


class LegalBasisForm(StyledFormMixin, forms.ModelForm):
    """One row of the table of violations, as the city keeps it."""

    class Meta:
        model = LegalBasis
        fields = [
            "code", "law", "article", "forbids", "point", "penalty", "fine_max",
            "escalation", "escalated_fine_max", "sort_order", "is_active",
        ]  # fmt: skip
        widgets = {
            "forbids": forms.Textarea(attrs={"rows": 2}),
            "penalty": forms.Textarea(attrs={"rows": 2}),
            "escalation": forms.Textarea(attrs={"rows": 2}),
        }
