from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("county/", views.county_home, name="county_home"),
    path("county/dashboard/", views.my_county_dashboard, name="my_county_dashboard"),
    path("counties/<int:pk>/", views.county_dashboard, name="county_dashboard"),
    path("targets/", views.target_list, name="targets"),
    path("targets/<int:year>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("targets/<int:pk>/submit/", views.target_submit, name="target_submit"),
    path("targets/<int:pk>/accept/", views.target_accept, name="target_accept"),
    path("targets/<int:pk>/return/", views.target_return, name="target_return"),
    path("submissions/", views.submission_list, name="submissions"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/upload/", views.submission_upload, name="submission_upload"),
    path(
        "submissions/<int:pk>/accept/",
        views.submission_decide,
        {"decision": "accept"},
        name="submission_accept",
    ),
    path(
        "submissions/<int:pk>/return/",
        views.submission_decide,
        {"decision": "return"},
        name="submission_return",
    ),
    path("submissions/<int:pk>/document/", views.submission_document, name="submission_document"),
    path("bulletins/", views.snapshot_list, name="snapshots"),
    path("bulletins/generate/", views.snapshot_generate, name="snapshot_generate"),
    path("bulletins/<int:pk>/", views.bulletin, name="bulletin"),
    path("bulletins/<int:pk>/xlsx/", views.bulletin_xlsx, name="bulletin_xlsx"),
    path("year-setup/", views.year_setup, name="year_setup"),
    path("year-setup/deadlines/<int:pk>/", views.year_deadline, name="year_deadline"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation/weights/", views.evaluation_weights, name="evaluation_weights"),
    path("evaluation/xlsx/", views.evaluation_xlsx, name="evaluation_xlsx"),
]
