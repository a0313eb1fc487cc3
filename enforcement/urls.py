from django.urls import path

from . import views

app_name = "enforcement"
urlpatterns = [
    path("refusers/", views.refuser_list, name="refuser_list"),
    path("firms/<int:pk>/refuse/", views.refuser_mark, name="refuser_mark"),
    path("firms/<int:pk>/open-case/", views.case_open, name="case_open"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/inspect/", views.inspection_record, name="inspection_record"),
    path("cases/<int:pk>/violations/", views.violation_add, name="violation_add"),
    path("cases/<int:pk>/order/", views.case_order, name="case_order"),
    path("cases/<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("cases/<int:pk>/follow-up/", views.case_follow_up, name="case_follow_up"),
    path(
        "cases/<int:pk>/escalated-decision/",
        views.case_decide_escalated,
        name="case_decide_escalated",
    ),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("inspections/<int:pk>/", views.inspection_print, name="inspection_print"),
    path("legal-bases/", views.basis_list, name="basis_list"),
    path("legal-bases/new/", views.basis_add, name="basis_add"),
    path("legal-bases/<int:pk>/edit/", views.basis_edit, name="basis_edit"),
]
