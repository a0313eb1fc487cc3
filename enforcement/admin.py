from django.contrib import admin

from .models import Case, LegalBasis, Refusal


@admin.register(LegalBasis)
class LegalBasisAdmin(admin.ModelAdmin):
    """Read-only here: the city keeps the table on its own page, where every change is kept in
    the history."""

    list_display = ("code", "law", "article", "point", "fine_max", "is_active")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refusal)
class RefusalAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "notice_no", "served_on")
    raw_id_fields = ("enterprise",)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("number", "enterprise", "status", "rectify_by")
    raw_id_fields = ("enterprise", "refusal")
    readonly_fields = ("status",)
