from django.contrib import admin

from .models import OutreachEvent


@admin.register(OutreachEvent)
class OutreachEventAdmin(admin.ModelAdmin):
    list_display = ("held_on", "county", "kind", "title")
