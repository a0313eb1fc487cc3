from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from .celery import app as celery_app
from .models import Job


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
