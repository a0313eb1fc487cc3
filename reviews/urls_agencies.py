"""Agencies and experts, their standing's follow-up, change requests, the dynamic list."""

from django.urls import path

from .views import agencies as views

urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/mine/", views.agency_mine, name="agency_mine"),
    path("agencies/new/", views.agency_create_view, name="agency_create"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:pk>/experts/new/", views.expert_create, name="expert_create"),
    path("experts/<int:pk>/", views.expert_edit, name="expert_edit"),
    path("agencies/changes/", views.change_list, name="change_list"),
    path("agencies/changes/<int:pk>/", views.change_decide_view, name="change_decide"),
    path("agencies/warnings/<int:pk>/", views.warning_follow_up, name="warning_follow_up"),
    path("agencies/reassign/", views.reassign_list, name="reassign_list"),
    path("agencies/list/", views.agency_public, name="agency_public"),
    path("agencies/list.xlsx", views.agency_public_xlsx, name="agency_public_xlsx"),
    path("agencies/list/publish/", views.edition_publish, name="edition_publish"),
]
