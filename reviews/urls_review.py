"""Application, assignment, review, rectification and conclusion URLs (评审)."""

from django.urls import path

from .views import review

urlpatterns = [
    path("", review.agency_home, name="agency_home"),
    path("applications/", review.application_queue, name="applications"),
    path("apply/", review.review_apply, name="apply"),
    path("re-reviews/", review.re_review_queue, name="re_review_queue"),
    path("<int:pk>/", review.review_detail, name="detail"),
    path("<int:pk>/letter/", review.assignment_letter, name="assignment_letter"),
    path("<int:pk>/report/", review.review_report_page, name="report"),
    path("<int:pk>/assign/", review.review_assign, name="assign"),
    path("<int:pk>/return/", review.review_return, name="return"),
    path("<int:pk>/withdraw/", review.review_withdraw, name="withdraw"),
    path("<int:pk>/edit/", review.review_edit, name="edit"),
    path("<int:pk>/team/", review.review_team, name="team"),
    path("<int:pk>/scoring/", review.review_scoring, name="scoring"),
    path("<int:pk>/nonconformities/add/", review.nonconformity_add, name="nc_add"),
    path("<int:pk>/onsite-fixes/add/", review.onsite_fix_add, name="onsite_fix"),
    path("<int:pk>/hazards/add/", review.hazard_add, name="hazard_add"),
    path("hazards/<int:pk>/delete/", review.hazard_delete, name="hazard_delete"),
    path("<int:pk>/conclude/", review.review_conclude, name="conclude"),
    path("nonconformities/<int:pk>/answer/", review.nonconformity_answer, name="nc_answer"),
    path("nonconformities/<int:pk>/verify/", review.nonconformity_verify, name="nc_verify"),
]
