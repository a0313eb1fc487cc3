"""django-import-export resources, used where the library serves: exports from the admin.

The registry's *import* does not go through django-import-export: its per-row path took
22-43 s for 20,000 rows (FIELD-NOTES; ``benchmarks/import_enterprises.py`` measures it again
against ours), and a second import path would be a second set of rules. Everything imports
through ``enterprises.importing``.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from .choices import SizeClass
from .importing import COLUMNS
from .models import County, Enterprise, Industry


class ChoiceLabelWidget(widgets.Widget):
    """Shows and reads a choice by its Chinese label (大型/中型/小型/微型)."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.by_label = {label: value for value, label in choices}
        self.labels = dict(choices)

    def clean(self, value, row=None, **kwargs):
        return self.by_label.get(str(value).strip(), value) if value else ""

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


_WIDGETS = {
    "county": widgets.ForeignKeyWidget(County, "name"),
    "industry": widgets.ForeignKeyWidget(Industry, "name"),
    "size": ChoiceLabelWidget(SizeClass.choices),
}


class EnterpriseResource(resources.ModelResource):
    """The template's columns under their Chinese headers, matched by credit code."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for header, name in COLUMNS:
            self.fields[name] = fields.Field(
                attribute=name, column_name=header, widget=_WIDGETS.get(name)
            )

    class Meta:
        model = Enterprise
        fields = [name for _, name in COLUMNS]
        import_id_fields = ["credit_code"]
