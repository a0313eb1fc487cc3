from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("new/", views.event_create, name="event_create"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("dispatch/", views.dispatch_list, name="dispatch_list"),
    path("dispatch/new/", views.dispatch_create, name="dispatch_create"),
    path("dispatch/<int:pk>/", views.dispatch_detail, name="dispatch_detail"),
    path(
        "dispatch/items/<int:pk>/complete/",
        views.dispatch_item_complete,
        name="dispatch_item_complete",
    ),
]
