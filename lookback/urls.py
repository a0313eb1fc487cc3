from django.urls import path

from . import views

app_name = "lookback"
urlpatterns = [
    path("audits/", views.audit_list, name="audit_list"),
    path("audits/start/", views.audit_start, name="audit_start"),
    path("audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/redraw/", views.audit_redraw, name="audit_redraw"),
    path("audits/<int:pk>/close/", views.audit_close, name="audit_close"),
    path("findings/<int:pk>/", views.finding_record, name="finding_record"),
]
