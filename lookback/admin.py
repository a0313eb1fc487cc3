from django.contrib import admin

from .models import AuditFinding, AuditRound


class FindingInline(admin.TabularInline):
    """Findings are recorded through the audit's pages (with history): read-only here."""

    model = AuditFinding
    extra = 0
    can_delete = False
    readonly_fields = (
        "enterprise",
        "reported_result",
        "reported_score",
        "audited_result",
        "audited_score",
        "recorded",
        "in_error",
        "note",
        "recorded_at",
        "agency",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AuditRound)
class AuditRoundAdmin(admin.ModelAdmin):
    list_display = ("county", "year", "status", "sampled", "in_error", "error_rate")
    readonly_fields = (
        "status",
        "tolerance",
        "is_re_audit",
        "sampled",
        "in_error",
        "error_rate",
        "requires_re_review",
        "hold",
        "closed_at",
        "draw_number",
    )
    inlines = [FindingInline]
