from django.urls import path

from . import views

app_name = "lookback"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("open/", views.campaign_open, name="campaign_open"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/reopen/", views.phase_reopen, name="phase_reopen"),
    path("<int:pk>/self-checks/", views.self_check_list, name="self_check_list"),
    path(
        "<int:pk>/self-checks/<int:enterprise_pk>/", views.self_check_edit, name="self_check_edit"
    ),
    path("<int:pk>/ratings/", views.ratings, name="ratings"),
    path("agencies/<int:pk>/decide/", views.agency_decide, name="agency_decide"),
    path("performance/", views.performance, name="performance"),
    path("performance.xlsx", views.performance_xlsx, name="performance_xlsx"),
    path("performance/<int:pk>/", views.performance_detail, name="performance_detail"),
    path("performance/<int:pk>/reviews/", views.performance_reviews, name="performance_reviews"),
    path("<int:pk>/spot-checks/", views.spot_checks, name="spot_checks"),
    path("outcomes/<int:pk>/", views.outcome_record, name="outcome_record"),
    path("audits/", views.audit_list, name="audit_list"),
    path("audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/close/", views.audit_close, name="audit_close"),
    path("findings/<int:pk>/", views.finding_record, name="finding_record"),
]
