"""No state changes behind the history's back: every field that carries programme state is
read-only in Django admin (changes go through the services, which write history)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from enterprises.choices import Grade, Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATE_FIELDS = {
    "enterprises.Enterprise": [
        "status",
        "grade",
        "certificate_no",
        "grade_valid_from",
        "grade_valid_until",
    ],
    "reviews.ReviewAgency": ["standing", "standing_since", "standing_reason"],
    "reviews.Review": ["status", "score", "veto_failed", "result", "confirmed_at"],
    "reviews.Nonconformity": ["status", "verified_at"],
    "lookback.AuditRound": ["status", "sampled", "in_error", "error_rate", "requires_re_review"],
}
# Models carrying programme state that have no admin at all (nothing to edit there).
NOT_IN_ADMIN = [
    "reviews.Certificate",
    "reviews.SelfAssessment",
    "lookback.AgencyRating",
    "lookback.SpotCheckOutcome",
    "reviews.StandingDecision",
    "reviews.AgencyWarning",
    "reviews.AgencyChangeRequest",
    "reviews.AgencyListEdition",
]


@pytest.fixture
def superuser():
    return UserFactory(role="admin", is_staff=True, is_superuser=True)


def admin_form_fields(label, user, obj=None):
    model_admin = admin.site._registry[apps.get_model(label)]
    request = RequestFactory().get("/")
    request.user = user
    return set(model_admin.get_form(request, obj).base_fields)


@pytest.mark.parametrize(("label", "fields"), STATE_FIELDS.items())
def test_programme_state_is_not_an_admin_form_field(superuser, label, fields):
    editable = admin_form_fields(label, superuser)
    assert not editable & set(fields), f"{label}: {sorted(editable & set(fields))}"


@pytest.mark.parametrize("label", NOT_IN_ADMIN)
def test_state_models_without_an_admin_stay_without_one(label):
    assert apps.get_model(label) not in admin.site._registry


def test_audit_findings_cannot_be_added_or_changed_inline(superuser):
    round_admin = admin.site._registry[apps.get_model("lookback.AuditRound")]
    request = RequestFactory().get("/")
    request.user = superuser
    (inline,) = round_admin.get_inline_instances(request)
    assert not inline.has_add_permission(request) and not inline.can_delete
    assert {"in_error", "audited_score", "audited_result"} <= set(inline.readonly_fields)


def test_an_admin_edit_of_a_grade_is_impossible(superuser, firm):
    firm.status, firm.grade = Status.CONFIRMED, Grade.PASS
    firm.save()
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:enterprises_enterprise_change", args=[firm.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(name="改名后的公司", grade=Grade.LEVEL1, status=Status.ANNOUNCED)
    data.update(certificate_no="伪造-001")
    assert client.post(url, data).status_code == 302  # the edit itself was accepted
    firm.refresh_from_db()
    assert firm.name == "改名后的公司"
    assert (firm.grade, firm.status, firm.certificate_no) == (Grade.PASS, Status.CONFIRMED, "")
