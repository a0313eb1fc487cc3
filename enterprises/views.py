from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from portal.audit import history_for
from portal.roles import Role
from portal.scoping import get_scoped_object_or_404, require_role

from .choices import SizeClass, Status
from .models import County, Enterprise, Industry
from .selectors import enterprise_list


def enterprise_index(request):
    require_role(request.user, Role.CITY, Role.ADMIN, Role.COUNTY, Role.AGENCY)
    qs = enterprise_list(user=request.user, params=request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "enterprises/enterprise_list.html",
        {
            "page_obj": page,
            "counties": County.objects.for_user(request.user),
            "industries": Industry.objects.for_user(request.user),
            "sizes": SizeClass.choices,
            "statuses": Status.choices,
        },
    )


def enterprise_detail(request, pk: int):
    enterprise = get_scoped_object_or_404(
        Enterprise.objects.select_related("county", "industry"), request.user, pk=pk
    )
    return render(
        request,
        "enterprises/enterprise_detail.html",
        {"enterprise": enterprise, "history": history_for(enterprise)[:50]},
    )


def my_enterprise(request):
    """An enterprise user's start page: their own firm."""
    if not request.user.enterprise_id:
        raise Http404("您的账号未绑定企业")
    return redirect("enterprises:detail", pk=request.user.enterprise_id)
