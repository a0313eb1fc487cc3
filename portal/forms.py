"""Form helpers shared by every app."""

from django import forms

from .http import is_row_id


class StyledFormMixin:
    """Gives widgets the Bootstrap classes the templates expect."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            # RadioSelect covers CheckboxSelectMultiple, its subclass; without it a radio list
            # got form-control, which draws each radio as a full-width box with no dot.
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"


class RowIdsField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses what is no row id before asking the database:
    an out-of-range integer in an ``IN`` list is a database error, not "no such row"."""

    def clean(self, value):
        for item in value if isinstance(value, list | tuple) else []:
            if not is_row_id(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(item)[:20]},
                )
        return super().clean(value)
