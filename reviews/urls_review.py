from django.urls import path

from .views import review

urlpatterns = [
    path("", review.agency_home, name="agency_home"),
    path("<int:pk>/", review.review_detail, name="detail"),
]
