from django.urls import path

from . import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_index, name="list"),
    path("export/", views.enterprise_export, name="export"),
    path("export/<int:pk>/", views.export_job, name="export_job"),
    path("export/<int:pk>/download/", views.export_download, name="export_download"),
    path("new/", views.enterprise_create, name="create"),
    path("mine/", views.my_enterprise, name="mine"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/close/", views.enterprise_close, name="close"),
    path("creation-list/", views.creation_list_index, name="creation_list"),
    path("creation-list/export/", views.creation_list_export, name="creation_list_export"),
    path("creation-list/add/", views.creation_list_add, name="creation_list_add"),
    path("creation-list/bulk/", views.creation_list_bulk, name="creation_list_bulk"),
    path(
        "creation-list/bulk/<int:pk>/", views.creation_list_bulk_job, name="creation_list_bulk_job"
    ),
    path(
        "creation-list/removals/<int:pk>/evidence/",
        views.creation_list_removal_evidence,
        name="creation_list_removal_evidence",
    ),
    path("creation-list/<int:pk>/remove/", views.creation_list_remove, name="creation_list_remove"),
    path("accidents/", views.accident_list, name="accident_list"),
    path("accidents/new/<int:enterprise_pk>/", views.accident_create, name="accident_create"),
    path("accidents/<int:pk>/edit/", views.accident_edit, name="accident_edit"),
    path("import/", views.import_start, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
