from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("todo/", views.todo, name="todo"),
        path("notifications/", views.notification_list, name="notifications"),
        path("notifications/settings/", views.notification_settings, name="notification_settings"),
        path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
        path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
        path("security/log/", views.security_event_list, name="security_events"),
        path("security/log.xlsx", views.security_event_export, name="security_events_export"),
        path("accounts/users/", views.account_list, name="accounts"),
        path("accounts/users/new/<str:role>/", views.account_create, name="account_create"),
        path("accounts/users/<int:pk>/", views.account_detail, name="account_detail"),
        path("accounts/users/<int:pk>/edit/", views.account_edit, name="account_edit"),
        path("accounts/users/<int:pk>/disable/", views.account_disable, name="account_disable"),
        path("accounts/users/<int:pk>/enable/", views.account_enable, name="account_enable"),
        path(
            "accounts/users/<int:pk>/reset-password/",
            views.account_reset_password,
            name="account_reset_password",
        ),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("enterprises/", include("enterprises.urls")),
    path("reviews/", include("reviews.urls")),
    path("enforcement/", include("enforcement.urls")),
    path("outreach/", include("outreach.urls")),
    path("lookback/", include("lookback.urls")),
    path("integrity/", include("integrity.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "安全生产标准化管理平台 · 系统管理"
admin.site.site_title = "系统管理"

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
