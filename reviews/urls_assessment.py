"""Self-assessment URLs (自评) and evidence files."""

from django.urls import path

from .views import assessment as views
from .views import standards

urlpatterns = [
    path("standards/", standards.standard_list, name="standard_list"),
    path("settings/", standards.settings_page, name="settings"),
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/start/", views.assessment_start, name="assessment_start"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/report/", views.assessment_report, name="assessment_report"),
    path(
        "assessments/<int:pk>/lines/<int:line_pk>/evidence/",
        views.evidence_upload,
        name="assessment_evidence_upload",
    ),
    path("assessments/evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path(
        "assessments/evidence/<int:pk>/delete/",
        views.evidence_delete,
        name="assessment_evidence_delete",
    ),
]
