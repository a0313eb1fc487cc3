"""Forms of the self-assessment page and evidence uploads."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from portal.concurrency import VersionedFormMixin
from portal.forms import StyledFormMixin
from reviews.models import Expert, ReviewAgency, SelfAssessment, SelfAssessmentLine
from reviews.services.assessment import EVIDENCE_MAX_MB, LineInput, line_problems


class ExpertChoiceField(forms.ModelChoiceField):
    """Experts by name, told apart by their agency and certificate (two 王军 are common)."""

    def label_from_instance(self, expert: Expert) -> str:
        return expert_label(expert)


def expert_label(expert: Expert) -> str:
    where = expert.agency.name if expert.agency_id else "市级专家库"
    certificate = f"，证书{expert.certificate_no}" if expert.certificate_no else ""
    return f"{expert.name}（{where}{certificate}）"


class AssessmentHeaderForm(StyledFormMixin, VersionedFormMixin, forms.Form):
    """Who guided the firm (feeds the conflict-of-interest check at assignment)."""

    guide_agency = forms.ModelChoiceField(
        ReviewAgency.objects.all(),
        label="指导机构",
        required=False,
        empty_label="（无）",
        help_text="如有评审机构指导本次自评，请选择；该机构将不能评审本企业。",
    )
    guide_expert = ExpertChoiceField(
        Expert.objects.filter(is_active=True).select_related("agency"),
        label="指导专家",
        required=False,
        empty_label="（无）",
    )
    team_leader = forms.CharField(
        label="自评组组长", max_length=100, required=False, help_text="姓名、职务；申请评审前须填写"
    )
    team_members = forms.CharField(
        label="自评组成员",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一人：姓名、职务；申请评审前须填写",
    )

    def __init__(self, *args, assessment: SelfAssessment, **kwargs):
        self.instance = assessment
        kwargs.setdefault(
            "initial",
            {
                "guide_agency": assessment.guide_agency_id,
                "guide_expert": assessment.guide_expert_id,
                "team_leader": assessment.team_leader,
                "team_members": assessment.team_members,
            },
        )
        super().__init__(*args, **kwargs)


class LineForm(StyledFormMixin, forms.Form):
    """One item: points deducted (扣分), 空项 mark, reason."""

    deducted = forms.DecimalField(
        label="扣分", min_value=0, max_digits=6, decimal_places=1, initial=Decimal(0)
    )
    not_applicable = forms.BooleanField(label="空项", required=False)
    reason = forms.CharField(
        label="扣分理由/说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, line: SelfAssessmentLine, **kwargs):
        self.line = line
        kwargs.setdefault(
            "initial",
            {
                "deducted": line.deducted,
                "not_applicable": line.not_applicable,
                "reason": line.reason,
            },
        )
        super().__init__(*args, prefix=f"line-{line.pk}", **kwargs)
        self.fields["deducted"].widget.attrs.update(
            {"max": str(line.item.points), "step": "0.1", "aria-label": f"{line.item.code} 扣分"}
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        for field, message in line_problems(self.line.item, self.entry, submitting=False).items():
            self.add_error(field, message)
        return data

    @property
    def entry(self) -> LineInput:
        data = self.cleaned_data
        return LineInput(data["deducted"], data["not_applicable"], data["reason"].strip())


def line_forms(lines: list[SelfAssessmentLine], data=None) -> list[LineForm]:
    return [LineForm(data, line=line) for line in lines]


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="佐证材料", help_text=f"PDF、图片或 Office 文档，单个不超过 {EVIDENCE_MAX_MB} MB"
    )
