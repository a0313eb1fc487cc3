from django.contrib import admin

from portal.http import dated, xlsx_response

from .exports import enterprise_export
from .models import Accident, County, CreationListEntry, Enterprise, Industry


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "supervisor", "is_zone", "valid_from", "valid_until")


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort_order")


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """No import here: imports go through the one validated path (Excel导入 page or
    ``manage.py import_enterprises``). The export is the portal's own writer, as on the list
    page: every cell text, so what a firm typed (``=HYPERLINK(...)``, ``+``, ``-``, ``@``)
    never becomes a formula (django-import-export's admin export left those live)."""

    actions = ["export_xlsx"]
    list_display = ("credit_code", "name", "county", "industry", "size", "status", "grade")
    list_filter = ("county", "industry", "size", "status", "grade")
    search_fields = ("name", "credit_code")
    list_select_related = ("county", "industry")
    # Programme state moves only through the services, which keep the history.
    readonly_fields = ("status", "grade", "certificate_no", "grade_valid_from", "grade_valid_until")

    @admin.action(description="导出所选企业（Excel）")
    def export_xlsx(self, request, queryset):
        rows = queryset.order_by("name", "pk")
        return xlsx_response(enterprise_export(rows), dated("企业名录"))


@admin.register(CreationListEntry)
class CreationListEntryAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "year", "target_date")
    list_filter = ("year",)
    raw_id_fields = ("enterprise",)


@admin.register(Accident)
class AccidentAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "occurred_on", "deaths", "injuries")
    raw_id_fields = ("enterprise",)
