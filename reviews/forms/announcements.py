"""Forms of confirmation, revocation and announcements."""

from __future__ import annotations

from django import forms

from portal.concurrency import VersionedFormMixin
from portal.forms import RowIdsField, StyledFormMixin

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
        label="公告企业",
        queryset=Certificate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="仅列出已县级确认、尚未公告、未被市局暂缓公告的三级及小微企业达标结果",
    )

    def __init__(self, *args, choices, instance: Announcement | None = None, **kwargs):
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


class PublishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
