from django.core.paginator import Paginator
from django.shortcuts import render

from portal.roles import Role
from portal.scoping import get_scoped_object_or_404, require_role

from ..models import Review


def agency_home(request):
    """An agency's start page: the reviews assigned to it."""
    require_role(request.user, Role.AGENCY)
    qs = Review.objects.for_user(request.user).select_related("enterprise__county")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "reviews/agency_home.html", {"page_obj": page})


def review_detail(request, pk: int):
    review = get_scoped_object_or_404(
        Review.objects.select_related("enterprise", "agency"), request.user, pk=pk
    )
    return render(request, "reviews/review_detail.html", {"review": review})
