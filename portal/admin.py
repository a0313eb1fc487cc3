from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEntry, Job, Notification, User
from .security import Kind, record


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "county", "enterprise", "agency", "is_active")
    list_filter = ("role", "is_active", "county")
    search_fields = ("username", "full_name", "enterprise__name")
    autocomplete_fields = ("enterprise",)
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "角色与归属",
            {
                "fields": (
                    "role",
                    "full_name",
                    "phone",
                    "county",
                    "enterprise",
                    "agency",
                    "must_change_password",
                )
            },
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("角色与归属", {"fields": ("role", "full_name", "county", "enterprise", "agency")}),
    )

    def user_change_password(self, request, id, form_url=""):
        """Django's page; a password set by an administrator goes to the security log."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            target = User.objects.filter(pk=id).values_list("username", flat=True).first()
            record(Kind.PASSWORD_CHANGED, request, detail=f"管理员设置了用户 {target} 的密码")
        return response


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
