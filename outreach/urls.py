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
    path("practices/", views.practice_list, name="practice_list"),
    path("practices/new/", views.practice_create, name="practice_create"),
    path("practices/<int:pk>/", views.practice_detail, name="practice_detail"),
    path("practices/<int:pk>/file/", views.practice_file, name="practice_file"),
    path("practices/<int:pk>/feature/", views.practice_feature, name="practice_feature"),
    path("practices/<int:pk>/return/", views.practice_return, name="practice_return"),
    path("hand-scores/", views.hand_scores, name="hand_scores"),
]
