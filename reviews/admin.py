from django.contrib import admin

from .models import Expert, Nonconformity, Review, ReviewAgency, ReviewTeamMember


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only here: agencies and experts are kept on their own pages (/reviews/agencies/),
    where every change is in the history and an agency's changes wait for the city; the
    standing moves only by the city's decisions (reviews.workflows.agencies.STANDING)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewAgency)
class ReviewAgencyAdmin(ReadOnlyAdmin):
    list_display = ("name", "standing", "contact", "phone")
    list_filter = ("standing",)
    readonly_fields = ("standing", "standing_since", "standing_reason")


@admin.register(Expert)
class ExpertAdmin(ReadOnlyAdmin):
    list_display = ("name", "agency", "certificate_no", "is_active", "spot_checks")
    list_filter = ("agency", "is_active")


class TeamInline(admin.TabularInline):
    model = ReviewTeamMember
    extra = 0
    raw_id_fields = ("expert",)


class NonconformityInline(admin.TabularInline):
    model = Nonconformity
    extra = 0
    fields = ("item", "description", "deadline", "status")
    readonly_fields = ("status",)
    raw_id_fields = ("item",)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Status and the conclusion move only through the services (state machine, computed
    result, history): the admin shows them read-only."""

    list_display = ("enterprise", "status", "agency", "funding", "score", "result", "created_at")
    list_filter = ("status", "funding", "result")
    search_fields = ("enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("enterprise", "self_assessment")
    readonly_fields = (
        "status",
        "agency",
        "standard",
        "score",
        "veto_failed",
        "result",
        "applied_grade",
        "applied_at",
        "assigned_at",
        "concluded_at",
        "confirmed_at",
    )
    inlines = [TeamInline, NonconformityInline]


@admin.register(Nonconformity)
class NonconformityAdmin(admin.ModelAdmin):
    list_display = ("description", "review", "deadline", "status")
    list_filter = ("status",)
    raw_id_fields = ("review", "item")
    readonly_fields = ("status", "responded_at", "verified_at")
