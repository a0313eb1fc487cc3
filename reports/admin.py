from django.contrib import admin, messages

from portal.http import current_year

from .models import (
    CityGoal,
    CountyTarget,
    EvaluationCriterion,
    ProgressSnapshot,
    Reminder,
    Submission,
    SubmissionDeadline,
    SubmissionKind,
)
from .services.submissions import setup_deadlines


@admin.register(CityGoal)
class CityGoalAdmin(admin.ModelAdmin):
    list_display = ("year", "due_on", "pass_percent", "firms_total")


@admin.register(SubmissionKind)
class SubmissionKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "default_month", "default_day", "sort_order")
    actions = ["make_this_years_deadlines"]

    @admin.action(description="生成今年的截止日期和各县市区待上报记录")
    def make_this_years_deadlines(self, request, queryset):
        year = current_year()
        setup_deadlines(year=year, actor=request.user)
        self.message_user(request, f"已生成{year}年截止日期", messages.SUCCESS)


@admin.register(SubmissionDeadline)
class SubmissionDeadlineAdmin(admin.ModelAdmin):
    list_display = ("kind", "year", "due_on")
    list_filter = ("year",)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("county", "deadline", "status", "submitted_at", "is_late")
    list_filter = ("status", "deadline__year", "deadline__kind")
    readonly_fields = ("status", "submitted_at", "is_late", "submitted_by", "document")


@admin.register(CountyTarget)
class CountyTargetAdmin(admin.ModelAdmin):
    list_display = ("county", "year", "listed_count", "status")
    list_filter = ("year", "status")
    readonly_fields = ("status", "submitted_at", "decided_at", "decided_by")


@admin.register(ProgressSnapshot)
class ProgressSnapshotAdmin(admin.ModelAdmin):
    list_display = ("taken_on", "year", "created_at")


@admin.register(EvaluationCriterion)
class EvaluationCriterionAdmin(admin.ModelAdmin):
    list_display = ("year", "code", "weight")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Read-only: the record of what was sent is what keeps reminders from repeating."""

    list_display = ("kind", "due_on", "recipient", "sent_on")
    list_filter = ("kind", "sent_on")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
