from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .audit import history_for
from .celery import app as celery_app
from .events import events_for_role
from .forms import AccountFilterForm, AccountForm, SecurityEventFilterForm
from .http import FileMissing, current_year, dated, perform, xlsx_response, year_from
from .models import Job, Notification, SecurityEvent, User
from .notifications import mail_opt_outs, mail_preferences_save, mark_read
from .paging import paginate
from .policies import issuable_roles
from .policy import allowed_actions, fetch, require
from .roles import Role
from .security import (
    EXPORT_HEADER,
    Kind,
    on_password_changed,
    record,
    security_event_rows,
    security_events_for,
)
from .xlsx import stream_xlsx


def page_not_found(request, exception=None):
    """The 404 page; a missing stored file says what happened (ids and Django's English never)."""
    message = exception.message if isinstance(exception, FileMissing) else ""
    response = render(request, "404.html", {"message": message}, status=404)
    response.portal_page = True  # portal.middleware.PortalErrorPagesMiddleware leaves it be
    return response


def home(request):
    """Each role starts on its own page."""
    return redirect(settings.ROLE_START_PAGES.get(request.user.role, "password_change"))


def _broker_reachable() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


@login_not_required
@never_cache
def healthz(request):
    """200 when the database answers (503 otherwise); also says whether the broker does."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = True
    except Exception:  # noqa: BLE001
        database = False
    beat = Job.objects.filter(kind="heartbeat").values_list("updated_at", flat=True).first()
    body = {
        "database": database,
        "broker": _broker_reachable(),
        "last_heartbeat": beat.isoformat() if beat else None,
    }
    return JsonResponse(body, status=200 if database else 503)


def notification_list(request):
    """The user's own notifications, newest first; why each came and a link to its object."""
    qs = Notification.objects.for_user(request.user).select_related("content_type")
    if request.GET.get("unread"):
        qs = qs.unread()
    page_obj = paginate(request, qs, 30)
    return render(
        request,
        "portal/notification_list.html",
        {"page_obj": page_obj, "only_unread": bool(request.GET.get("unread"))},
    )


@require_POST
def notification_read(request, pk: int):
    """Mark one notification read and follow its link."""
    note = fetch(request.user, Notification, pk=pk)
    mark_read(user=request.user, notification_ids=[note.pk])
    safe = note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None)
    return redirect(note.url if safe else "portal:notifications")


@require_POST
def notification_read_all(request):
    count = mark_read(user=request.user)
    messages.success(request, f"已将 {count} 条通知标记为已读")
    return redirect("portal:notifications")


def todo(request):
    """待办事项: what waits for the user, from every app's ``todo.py`` (``portal.todo``)."""
    return render(request, "portal/todo.html")


def notification_settings(request):
    """Which kinds of notification also come by e-mail: each kind the user's role may receive
    and that asks them to act; the bell shows every notification whatever is chosen here."""
    offered = [e for e in events_for_role(request.user.role) if e.mail]
    if request.method == "POST":
        mail_preferences_save(
            user=request.user,
            kinds=[e.kind for e in offered],
            mailed=request.POST.getlist("mail"),
        )
        messages.success(request, "邮件通知设置已保存")
        return redirect("portal:notification_settings")
    muted = mail_opt_outs(request.user)
    rows = [
        {
            "event": e,
            "mailed": e.kind not in muted,
            "reason": e.reason if isinstance(e.reason, str) else "",
        }
        for e in offered
    ]
    return render(request, "portal/notification_settings.html", {"rows": rows})


def _security_events(request):
    require(request.user, "view", SecurityEvent)
    form = SecurityEventFilterForm(request.GET or None)
    year = year_from(request)
    return form, year, security_events_for(request.user, year=year, **form.filters())


def security_event_list(request):
    """安全日志: logins, failures, lockouts, password changes, refusals, exports, downloads."""
    form, year, events = _security_events(request)
    this_year = current_year()
    return render(
        request,
        "portal/security_event_list.html",
        {
            "form": form,
            "year": year,
            "years": sorted({this_year, this_year - 1, year}, reverse=True),
            "page_obj": paginate(request, events, 50),
            "actions": allowed_actions(request.user, SecurityEvent),
            "retention_days": settings.SECURITY_LOG_RETENTION_DAYS,
        },
    )


def security_event_export(request):
    """The log as filtered on the page, as an xlsx."""
    require(request.user, "export", SecurityEvent)
    _, year, events = _security_events(request)
    rows = security_event_rows(events)
    return xlsx_response(
        stream_xlsx(EXPORT_HEADER, rows, sheet_title="安全日志"), dated(f"{year}年安全日志")
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, with the change written to the security log."""

    def form_valid(self, form):
        response = super().form_valid(form)
        on_password_changed(self.request, form.user)
        services.password_changed_by_owner(user=form.user)
        return response


# --- Accounts: logins issued by the county and the city ---------------------------------------


def _issued_accounts(request, filters: dict):
    roles = issuable_roles(request.user)
    qs = (
        User.objects.for_user(request.user)
        .filter(role__in=roles)
        .select_related("county", "enterprise", "agency")
        .order_by("role", "enterprise__name", "username")
    )
    if q := filters.get("q"):
        qs = qs.filter(
            Q(username__icontains=q) | Q(full_name__icontains=q) | Q(enterprise__name__icontains=q)
        )
    if role := filters.get("role"):
        qs = qs.filter(role=role)
    if active := filters.get("active"):
        qs = qs.filter(is_active=active == "1")
    return qs


def account_list(request):
    """账号管理: the logins the user issues (their county's firms; for the city, county staff
    and agencies), with who is disabled and who has not yet chosen a password."""
    require(request.user, "manage_accounts", User)
    roles = issuable_roles(request.user)
    form = AccountFilterForm(request.GET or None, roles=roles)
    accounts = _issued_accounts(request, form.filters())
    return render(
        request,
        "portal/account_list.html",
        {
            "form": form,
            "page_obj": paginate(request, accounts, 30),
            "creatable": [(r, Role(r).label) for r in roles],
        },
    )


def _role_or_404(role: str) -> str:
    if role not in Role.values:
        raise Http404("没有该角色")
    return role


def _temporary_password_page(request, account, password: str, *, created: bool):
    return render(
        request,
        "portal/account_password.html",
        {"account": account, "password": password, "created": created},
    )


def account_create(request, role: str):
    """Open a login of ``role``; its temporary password is shown once, on this answer."""
    role = _role_or_404(role)
    require(request.user, "create", User(role=role))
    form = AccountForm(request.POST or None, actor=request.user, role=role)
    if form.is_valid():
        outcome = perform(
            request,
            lambda: services.account_create(actor=request.user, role=role, **form.cleaned_data),
            form=form,
        )
        if outcome:
            account, password = outcome.value
            return _temporary_password_page(request, account, password, created=True)
    return render(
        request,
        "portal/account_form.html",
        {"form": form, "role_label": Role(role).label, "account": None},
    )


def account_detail(request, pk: int):
    account = fetch(request.user, User, "edit", pk=pk)
    return render(
        request,
        "portal/account_detail.html",
        {
            "account": account,
            "actions": allowed_actions(request.user, account),
            "history": history_for(account)[:50],
        },
    )


def account_edit(request, pk: int):
    account = fetch(request.user, User, "edit", pk=pk)
    copy = User.objects.get(pk=pk)  # the form changes its instance; the service reads the row
    form = AccountForm(request.POST or None, instance=copy, actor=request.user, role=account.role)
    if form.is_valid() and perform(
        request,
        lambda: services.account_update(actor=request.user, account=account, **form.cleaned_data),
        success="已保存账号信息",
        form=form,
    ):
        return redirect("portal:account_detail", pk=account.pk)
    return render(
        request,
        "portal/account_form.html",
        {"form": form, "role_label": account.get_role_display(), "account": account},
    )


@require_POST
def account_disable(request, pk: int):
    account = fetch(request.user, User, "disable", pk=pk)
    perform(
        request,
        lambda: services.account_disable(actor=request.user, account=account),
        success=f"已停用账号 {account.username}，该用户已不能登录",
    )
    return redirect("portal:account_detail", pk=account.pk)


@require_POST
def account_enable(request, pk: int):
    account = fetch(request.user, User, "enable", pk=pk)
    perform(
        request,
        lambda: services.account_enable(actor=request.user, account=account),
        success=f"已启用账号 {account.username}",
    )
    return redirect("portal:account_detail", pk=account.pk)


@require_POST
def account_reset_password(request, pk: int):
    account = fetch(request.user, User, "reset_password", pk=pk)
    password = services.account_reset_password(actor=request.user, account=account)
    record(Kind.PASSWORD_CHANGED, request, detail=f"重置了用户 {account.username} 的密码")
    return _temporary_password_page(request, account, password, created=False)


def server_error(request, *args, **kwargs):
    """The 500 page; when the database connection is what failed (PostgreSQL restarted, the
    network cut), the 503 page that says so and asks to retry. Never the error's own text."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse, HttpResponseServerError
    from django.template.loader import render_to_string

    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponseServerError(render_to_string("500.html"))
