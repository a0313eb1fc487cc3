"""Confirmation, certificates, standing and announcement URLs (公告), and the public list."""

from django.urls import path

from .views import announcements as views

urlpatterns = [
    path("certificates/confirm/", views.confirmation_list, name="confirmation_list"),
    path("certificates/confirm/<int:pk>/", views.confirm_review, name="confirm_review"),
    path("certificates/recommend/<int:pk>/", views.recommend_review, name="recommend_review"),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/re-review/", views.re_review_due, name="re_review_due"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/print/", views.certificate_print, name="certificate_print"),
    path("certificates/<int:pk>/revoke/", views.revoke_certificate, name="certificate_revoke"),
    path(
        "certificates/<int:pk>/lift-suspension/",
        views.lift_suspension,
        name="certificate_lift_suspension",
    ),
    path(
        "certificates/<int:pk>/re-review/",
        views.send_to_re_review,
        name="certificate_send_to_re_review",
    ),
    path("announcements/", views.announcement_list, name="announcement_list"),
    path("announcements/new/", views.announcement_create, name="announcement_create"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement_detail"),
    path("announcements/<int:pk>/edit/", views.announcement_edit, name="announcement_edit"),
    path(
        "announcements/<int:pk>/publish/", views.announcement_publish, name="announcement_publish"
    ),
    path("announcements/<int:pk>/objections/add/", views.objection_add, name="objection_add"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
    path("announcements/<int:pk>/xlsx/", views.announcement_export, name="announcement_export"),
    path("public/", views.public_list, name="public_list"),
]
