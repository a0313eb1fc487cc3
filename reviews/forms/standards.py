"""Forms of the standards page (the county's choice) and the city's review settings."""

from __future__ import annotations

from django import forms

from portal.forms import StyledFormMixin

from ..models import ReviewSettings


class CountyStandardForm(StyledFormMixin, forms.Form):
    code = forms.ChoiceField(label="本县市区适用的小微企业评定标准")

    def __init__(self, *args, standards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [
            (standard.code, f"{standard.name}（{standard.get_issuer_display()}，{standard.code}）")
            for standard in standards
        ]


class ReviewSettingsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = ["score_gap_points"]
