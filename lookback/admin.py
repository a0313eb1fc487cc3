from django.contrib import admin

from .models import AuditFinding, AuditRound, Draw


@admin.register(Draw)
class DrawAdmin(admin.ModelAdmin):
    list_display = ("county", "year", "kind", "seed", "size", "created_at")
    readonly_fields = ("population", "sample", "seed", "algorithm")


class FindingInline(admin.TabularInline):
    model = AuditFinding
    extra = 0
    raw_id_fields = ("enterprise",)


@admin.register(AuditRound)
class AuditRoundAdmin(admin.ModelAdmin):
    list_display = ("county", "year", "status", "sampled", "in_error", "error_rate")
    inlines = [FindingInline]
