from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEntry, Job, Notification, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "county", "enterprise", "agency", "is_active")
    list_filter = ("role", "is_active", "county")
    search_fields = ("username", "full_name", "enterprise__name")
    autocomplete_fields = ("enterprise",)
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "角色与归属",
            {"fields": ("role", "full_name", "phone", "county", "enterprise", "agency")},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("角色与归属", {"fields": ("role", "full_name", "county", "enterprise", "agency")}),
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the history cannot be altered (等保 2.0)."""

    list_display = ("at", "actor", "object_repr", "action")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("kind", "owner", "status", "done", "total", "created_at")
    list_filter = ("kind", "status")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "title", "read_at")
    search_fields = ("title", "recipient__username")
    list_filter = ("read_at",)
