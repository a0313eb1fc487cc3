"""Forms of confirmation, revocation and announcements."""

from __future__ import annotations

from django import forms

from portal.concurrency import VersionedFormMixin
from portal.forms import RowIdsField, StyledFormMixin

from ..choices import AnnouncementKind
from ..models import Announcement, Certificate
from ..services.certificates import RevokeSource


class RevokeForm(StyledFormMixin, forms.Form):
    source = forms.ChoiceField(label="撤销依据", choices=RevokeSource.choices)
    reason = forms.CharField(label="撤销理由", widget=forms.Textarea(attrs={"rows": 3}))


class CertificateChoiceField(RowIdsField):
    def label_from_instance(self, obj: Certificate) -> str:
        return (
            f"{obj.enterprise.name}（{obj.enterprise.credit_code}）"
            f" {obj.get_grade_display()} {obj.number}"
        )


class AnnouncementForm(StyledFormMixin, VersionedFormMixin, forms.Form):
    """The draft's number, title and entries; ``choices`` are the announceable certificates
    (plus the draft's own entries when editing)."""

    number = forms.CharField(
        label="文号", max_length=50, help_text="如：烟安监〔2016〕6号，同一县市区内不得重复"
    )
    title = forms.CharField(label="标题", max_length=200)
    certificates = CertificateChoiceField(
        label="列入企业",
        queryset=Certificate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="仅列出已确认、尚未列入、未被市局暂缓公告的三级及小微企业达标结果",
    )

    PUBLICITY_HELP = "仅列出已确认、尚未公示、未被市局暂缓公告的三级及小微企业达标结果"
    ANNOUNCEMENT_HELP = "仅列出公示期满、无未处理或成立的异议、尚未公告的结果"

    def __init__(
        self, *args, choices, instance: Announcement | None = None, kind: str = "", **kwargs
    ):
        self.instance = instance
        if instance is not None and not kwargs.get("data"):
            kwargs.setdefault(
                "initial",
                {
                    "number": instance.number,
                    "title": instance.title,
                    "certificates": list(instance.certificates.values_list("pk", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["certificates"].queryset = choices
        publicity = instance.is_publicity if instance else kind == AnnouncementKind.PUBLICITY
        self.fields["certificates"].help_text = (
            self.PUBLICITY_HELP if publicity else self.ANNOUNCEMENT_HELP
        )


class PublishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ObjectionForm(StyledFormMixin, forms.Form):
    """登记异议 on one firm of a 公示 (``choices``: its entries)."""

    certificate = forms.ModelChoiceField(label="异议企业", queryset=Certificate.objects.none())
    objector = forms.CharField(
        label="异议人", max_length=100, help_text="姓名或单位；匿名可填“匿名”"
    )
    contact = forms.CharField(label="联系方式", max_length=100, required=False)
    received_on = forms.DateField(label="收到日期", widget=forms.DateInput(attrs={"type": "date"}))
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate"].queryset = choices
        self.fields["certificate"].label_from_instance = lambda c: c.enterprise.name


class ObjectionDecisionForm(StyledFormMixin, VersionedFormMixin, forms.Form):
    upheld = forms.TypedChoiceField(
        label="处理结果",
        choices=[("0", "异议不成立"), ("1", "异议成立，退回重新评审")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 2}))
