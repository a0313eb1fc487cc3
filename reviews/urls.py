from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.agency_home, name="agency_home"),
    path("<int:pk>/", views.review_detail, name="detail"),
]
