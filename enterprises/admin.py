from django.contrib import admin
from import_export.admin import ExportMixin

from .models import Accident, County, CreationListEntry, Enterprise, Industry
from .resources import EnterpriseResource


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "supervisor", "is_zone", "valid_from", "valid_until")


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort_order")


@admin.register(Enterprise)
class EnterpriseAdmin(ExportMixin, admin.ModelAdmin):
    """Export only: imports go through the one validated path (Excel导入 page or
    ``manage.py import_enterprises``), never a second set of rules in the admin."""

    resource_classes = [EnterpriseResource]
    list_display = ("credit_code", "name", "county", "industry", "size", "status", "grade")
    list_filter = ("county", "industry", "size", "status", "grade")
    search_fields = ("name", "credit_code")
    list_select_related = ("county", "industry")
    # Programme state moves only through the services, which keep the history.
    readonly_fields = ("status", "grade", "certificate_no", "grade_valid_from", "grade_valid_until")


@admin.register(CreationListEntry)
class CreationListEntryAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "year", "target_date")
    list_filter = ("year",)
    raw_id_fields = ("enterprise",)


@admin.register(Accident)
class AccidentAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "occurred_on", "deaths", "injuries")
    raw_id_fields = ("enterprise",)
