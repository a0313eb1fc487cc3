from django.contrib import admin

from .models import Expert, Review, ReviewAgency


@admin.register(ReviewAgency)
class ReviewAgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "standing", "contact", "phone")
    list_filter = ("standing",)
    filter_horizontal = ("industries",)


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "certificate_no", "is_active")
    list_filter = ("agency", "is_active")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "agency", "funding", "created_at")
    raw_id_fields = ("enterprise",)
