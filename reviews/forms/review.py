"""Forms of the application, assignment, review and rectification pages."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from portal.concurrency import VersionedFormMixin
from portal.forms import RowIdsField, StyledFormMixin

from ..choices import Funding
from ..models import Expert, Nonconformity, Review, ReviewAgency, StandardItem
from ..selectors.review import ScoringRow
from ..services.review import DETAIL_FIELDS, RISK_INPUTS, ItemScore


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(label="评审机构", queryset=ReviewAgency.objects.none())
    funding = forms.ChoiceField(label="评审经费方式", choices=Funding.choices)
    fee = forms.DecimalField(
        label="评审费用（元）", required=False, min_value=0, max_digits=10, decimal_places=2
    )

    def __init__(self, *args, eligible_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        # Every agency is offered so that the service can say why an excluded one is refused.
        self.fields["agency"].queryset = ReviewAgency.objects.all()
        self.eligible_ids = eligible_ids


RISK_HELP = "每行一处（也可用顿号分隔），每处保存为一行记录"


class ReviewDetailsForm(VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    """On-site dates and the four combinations (四个结合). The risk identification is typed
    one per line and kept as rows (``RiskIdentification``); hazards are added one by one on
    their own form (``HazardForm``)."""

    hazardous_places = forms.CharField(
        label="危险、危害场所辨识", widget=forms.Textarea(attrs={"rows": 3}), help_text=RISK_HELP
    )
    special_operation_sites = forms.CharField(
        label="特殊作业场所辨识", widget=forms.Textarea(attrs={"rows": 3}), help_text=RISK_HELP
    )
    risk_points = forms.CharField(
        label="风险节点辨识", widget=forms.Textarea(attrs={"rows": 3}), help_text=RISK_HELP
    )
    field_order = [
        "onsite_from", "onsite_to", "responsibility_system", "training_date", "trained_count",
        "training_shortfall_reason", "hazardous_places", "special_operation_sites", "risk_points",
        "hazards_note", "gap_explanation",
    ]  # fmt: skip

    def __init__(self, *args, risks: dict[str, list[str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, kind in RISK_INPUTS.items():
            self.fields[name].required = False  # completeness is the conclusion's check
            self.initial.setdefault(name, "\n".join((risks or {}).get(kind, [])))

    class Meta:
        model = Review
        fields = DETAIL_FIELDS
        widgets = {
            "onsite_from": forms.DateInput,
            "onsite_to": forms.DateInput,
            "training_date": forms.DateInput,
            "responsibility_system": forms.Textarea(attrs={"rows": 2}),
            "hazards_note": forms.Textarea(attrs={"rows": 2}),
            "training_shortfall_reason": forms.Textarea(attrs={"rows": 2}),
            "gap_explanation": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "training_shortfall_reason": "培训人数少于企业职工人数时必须填写",
            "gap_explanation": (
                "评审得分高于自评超过规定分值，或单项扣分与自评相差超过该项分值一半时必须填写"
            ),
        }


class ExpertChoiceField(RowIdsField):
    def label_from_instance(self, obj: Expert) -> str:
        return f"{obj.name}（证书编号 {obj.certificate_no or '未登记'}）"


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Expert) -> str:
        return f"{obj.name}（证书编号 {obj.certificate_no or '未登记'}）"


class TeamForm(StyledFormMixin, forms.Form):
    experts = ExpertChoiceField(
        label="评审组成员", queryset=Expert.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    leader = LeaderChoiceField(label="组长", queryset=Expert.objects.none())

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        experts = Expert.objects.filter(agency_id=review.agency_id, is_active=True)
        self.fields["experts"].queryset = experts
        self.fields["leader"].queryset = experts
        members = list(review.team.all())
        if members and not self.is_bound:
            self.initial["experts"] = [m.expert_id for m in members]
            self.initial["leader"] = next((m.expert_id for m in members if m.is_leader), None)


class NonconformityForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Nonconformity
        fields = ["item", "description", "deadline"]
        widgets = {"deadline": forms.DateInput, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = StandardItem.objects.filter(standard_id=review.standard_id)
        self.fields["item"].required = True


class OnsiteFixForm(StyledFormMixin, forms.Form):
    """现场整改: an item with a deduction that the firm fixed while the team was there."""

    item = forms.ModelChoiceField(label="扣分项", queryset=StandardItem.objects.none())
    evidence = forms.CharField(
        label="现场整改情况",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明整改了什么、评审组如何确认",
    )
    files = MultipleFileField(
        label="佐证材料", help_text="现场整改后的照片、记录等（PDF、图片或Office文档），至少一份"
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = StandardItem.objects.filter(
            standard_id=review.standard_id,
            reviewline__review=review,
            reviewline__deducted__gt=0,
        ).order_by("order")


class AnswerForm(VersionedFormMixin, StyledFormMixin, forms.Form):
    response = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label="佐证材料", required=False, help_text="PDF、图片或Office文档")


class VerifyForm(VersionedFormMixin, StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="核查结论",
        choices=[("accept", "整改到位"), ("reject", "未通过，退回企业")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="核查意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@dataclass
class ScoringInputs:
    row: ScoringRow
    deducted: object
    not_applicable: bool
    reason: str
    errors: list


class ScoringForm(VersionedFormMixin, forms.Form):
    """One row per item: deduction (empty = not scored yet), not applicable, reason."""

    def __init__(
        self, *args, rows: list[ScoringRow], review: Review, from_self: bool = False, **kwargs
    ):
        """``from_self``: items the agency has not scored yet start from the firm's own
        deduction and reason (nothing is saved until the agency saves)."""
        super().__init__(*args, **kwargs)
        self.rows = rows
        if not self.is_bound:
            self.initial["version"] = review.version
        for row in rows:
            item, line = row.item, row.line
            self.fields[f"d{item.pk}"] = forms.DecimalField(
                required=False, min_value=0, max_value=item.points, decimal_places=1
            )
            self.fields[f"na{item.pk}"] = forms.BooleanField(required=False)
            self.fields[f"r{item.pk}"] = forms.CharField(required=False)
            if line is None and from_self and row.self_line is not None:
                line = row.self_line
            if line is not None:
                self.initial[f"d{item.pk}"] = None if line.not_applicable else line.deducted
                self.initial[f"na{item.pk}"] = line.not_applicable
                self.initial[f"r{item.pk}"] = line.reason

    def bound_rows(self):
        """Rows with their current values: the template writes plain inputs, since rendering
        450 widgets through Django's widget templates took half a second."""
        errors = self.errors if self.is_bound else {}
        for row in self.rows:
            pk = row.item.pk
            yield ScoringInputs(
                row,
                self[f"d{pk}"].value(),
                bool(self[f"na{pk}"].value()),
                self[f"r{pk}"].value() or "",
                errors.get(f"d{pk}", []),
            )

    def scores(self) -> dict[int, ItemScore]:
        data = self.cleaned_data
        return {
            row.item.pk: ItemScore(
                deducted=data.get(f"d{row.item.pk}"),
                not_applicable=bool(data.get(f"na{row.item.pk}")),
                reason=(data.get(f"r{row.item.pk}") or "").strip(),
            )
            for row in self.rows
        }


__all__ = [
    "AnswerForm",
    "AssignForm",
    "NonconformityForm",
    "ReturnForm",
    "ReviewDetailsForm",
    "ScoringForm",
    "TeamForm",
    "VerifyForm",
]


class HazardForm(StyledFormMixin, forms.Form):
    """隐患查改: one hazard found on site, listed as a 不符合项 or rectified on site."""

    description = forms.CharField(label="隐患描述", widget=forms.Textarea(attrs={"rows": 2}))
    nonconformity = forms.ModelChoiceField(
        label="列为不符合项",
        queryset=Nonconformity.objects.none(),
        required=False,
        empty_label="（不列为不符合项：现场已整改）",
        help_text="需限期整改的隐患，先在“提出不符合项”中记录，再在此选择",
    )
    rectification = forms.CharField(
        label="现场整改情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="现场已整改的隐患必须填写，并上传佐证材料",
    )
    files = MultipleFileField(label="佐证材料", required=False, help_text="PDF、图片或Office文档")

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nonconformity"].queryset = Nonconformity.objects.filter(review=review)
