"""Accounts counties can issue: county staff open, disable and reset the logins of their own
county's firms; the city those of county staff and agencies; a password someone else chose
must be changed at the first sign-in; every change is in the account's history."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from portal.audit import history_for

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def other_firm_user(make_user, make_enterprise, fushan):
    return make_user(role="enterprise", enterprise=make_enterprise(county=fushan))


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _sign_in(username: str, password: str) -> Client | None:
    """Through the login page (axes wants the request): the signed-in client, or None."""
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client if response.status_code == 302 else None


def _temporary_password(response) -> str:
    import re

    match = re.search(r"data-temporary-password>([^<]+)<", response.content.decode())
    assert match, "the temporary password is shown once"
    return match.group(1)


def test_county_opens_a_login_for_its_own_firm(county_user, firm):
    response = _client(county_user).post(
        "/accounts/users/new/enterprise/",
        {"username": "huaxin01", "full_name": "王安全", "phone": "0535-6", "enterprise": firm.pk},
    )
    assert response.status_code == 200
    account = User.objects.get(username="huaxin01")
    assert account.role == "enterprise" and account.enterprise == firm
    assert account.must_change_password
    assert account.check_password(_temporary_password(response))
    entry = history_for(account).get()
    assert entry.action == "开通账号" and entry.actor == county_user
    labels = {label: after for label, _, after in entry.changes_display}
    assert labels["所属企业"] == firm.name and labels["角色"] == "企业用户"
    assert labels["须修改初始密码"] == "是"


def test_county_cannot_open_a_login_for_another_countys_firm(county_user, make_enterprise, fushan):
    elsewhere = make_enterprise(county=fushan)
    response = _client(county_user).post(
        "/accounts/users/new/enterprise/",
        {"username": "elsewhere", "full_name": "李四", "enterprise": elsewhere.pk},
    )
    # The form offers only the county's own firms: another one is not a valid choice.
    assert response.status_code == 200
    assert "enterprise" in response.context["form"].errors
    assert not User.objects.filter(username="elsewhere").exists()


@pytest.mark.parametrize("role", ["city", "county", "agency", "admin"])
def test_county_cannot_create_a_city_county_or_agency_user(county_user, role):
    client = _client(county_user)
    assert client.get(f"/accounts/users/new/{role}/").status_code == 403
    response = client.post(f"/accounts/users/new/{role}/", {"username": "boss", "full_name": "x"})
    assert response.status_code == 403
    assert not User.objects.filter(username="boss").exists()


def test_an_unknown_role_is_no_page(county_user):
    assert _client(county_user).get("/accounts/users/new/wizard/").status_code == 404


@pytest.mark.parametrize("suffix", ["", "edit/", "disable/", "enable/", "reset-password/"])
def test_county_cannot_touch_another_countys_firms_user(county_user, other_firm_user, suffix):
    client = _client(county_user)
    url = f"/accounts/users/{other_firm_user.pk}/{suffix}"
    response = client.post(url) if suffix and suffix != "edit/" else client.get(url)
    assert response.status_code == 404
    other_firm_user.refresh_from_db()
    assert other_firm_user.is_active and not other_firm_user.must_change_password


def test_county_cannot_manage_its_colleagues_or_itself(county_user, make_user, zhifu):
    colleague = make_user(role="county", county=zhifu)
    client = _client(county_user)
    assert client.post(f"/accounts/users/{colleague.pk}/disable/").status_code == 403
    assert client.post(f"/accounts/users/{county_user.pk}/disable/").status_code == 403


def test_firms_and_agencies_have_no_account_pages(enterprise_user, agency_user):
    for user in (enterprise_user, agency_user):
        assert _client(user).get("/accounts/users/").status_code == 403
        assert _client(user).get("/accounts/users/new/enterprise/").status_code == 403


def test_city_opens_county_and_agency_logins(city_user, zhifu, agency):
    client = _client(city_user)
    client.post(
        "/accounts/users/new/county/", {"username": "zf02", "full_name": "赵", "county": zhifu.pk}
    )
    client.post(
        "/accounts/users/new/agency/", {"username": "ag02", "full_name": "钱", "agency": agency.pk}
    )
    assert User.objects.get(username="zf02").county == zhifu
    assert User.objects.get(username="ag02").agency == agency
    assert client.get("/accounts/users/new/city/").status_code == 403


def test_disabling_stops_the_login_and_enabling_restores_it(county_user, enterprise_user):
    client = _client(county_user)
    firm_client = _client(enterprise_user)
    client.post(f"/accounts/users/{enterprise_user.pk}/disable/")
    enterprise_user.refresh_from_db()
    assert not enterprise_user.is_active
    # The open session ends at once, and the password no longer signs in.
    assert firm_client.get("/enterprises/mine/").status_code == 302
    assert not _sign_in(enterprise_user.username, "Correct-horse-42")
    # A replayed click changes nothing and says why.
    response = client.post(f"/accounts/users/{enterprise_user.pk}/disable/", follow=True)
    assert "已经停用" in response.content.decode()
    client.post(f"/accounts/users/{enterprise_user.pk}/enable/")
    assert _sign_in(enterprise_user.username, "Correct-horse-42")
    actions = [e.action for e in history_for(enterprise_user)]
    assert actions == ["启用账号", "停用账号"]
    disabled = history_for(enterprise_user).last()
    assert disabled.changes_display == [("有效", "是", "否")]


def test_a_reset_password_must_be_changed_at_the_first_login(county_user, enterprise_user):
    response = _client(county_user).post(f"/accounts/users/{enterprise_user.pk}/reset-password/")
    temporary = _temporary_password(response)
    entry = history_for(enterprise_user).get()
    assert entry.action == "重置密码" and entry.actor == county_user
    assert temporary not in str(entry.changes) + entry.note

    firm = _sign_in(enterprise_user.username, temporary)
    assert firm
    for url in ("/", "/enterprises/mine/", "/reviews/assessments/"):
        response = firm.get(url)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert firm.get("/accounts/password/").status_code == 200

    new = "Harbour-Lights-2016"
    firm.post(
        "/accounts/password/",
        {"old_password": temporary, "new_password1": new, "new_password2": new},
    )
    enterprise_user.refresh_from_db()
    assert not enterprise_user.must_change_password and enterprise_user.check_password(new)
    assert firm.get("/enterprises/mine/", follow=True).status_code == 200
    assert history_for(enterprise_user).first().action == "本人修改了初始密码"


def test_the_temporary_password_cannot_be_kept(county_user, enterprise_user):
    temporary = _temporary_password(
        _client(county_user).post(f"/accounts/users/{enterprise_user.pk}/reset-password/")
    )
    firm = _sign_in(enterprise_user.username, temporary)
    response = firm.post(
        "/accounts/password/",
        {"old_password": temporary, "new_password1": temporary, "new_password2": temporary},
    )
    assert response.status_code == 200 and "不能与当前密码" in response.content.decode()
    enterprise_user.refresh_from_db()
    assert enterprise_user.must_change_password


def test_the_county_lists_only_its_own_firms_users(
    county_user, enterprise_user, other_firm_user, make_user, zhifu
):
    make_user(role="county", county=zhifu)
    page = _client(county_user).get("/accounts/users/")
    listed = {a.username for a in page.context["page_obj"]}
    assert listed == {enterprise_user.username}
    assert "开通企业用户账号" in page.content.decode()


def test_the_county_edits_its_firms_user_with_history(county_user, enterprise_user):
    _client(county_user).post(
        f"/accounts/users/{enterprise_user.pk}/edit/",
        {"full_name": "新名字", "phone": "138", "enterprise": enterprise_user.enterprise_id},
    )
    enterprise_user.refresh_from_db()
    assert enterprise_user.full_name == "新名字"
    entry = history_for(enterprise_user).get()
    assert ("姓名", entry.changes["full_name"][0], "新名字") in entry.changes_display


def test_django_admin_stays_for_administrators(county_user, city_user, make_user):
    for user in (county_user, city_user):
        assert _client(user).get("/admin/").status_code == 302  # to the admin's own login
    admin = make_user(role="admin", is_superuser=True)
    page = _client(admin).get("/admin/portal/user/")
    assert page.status_code == 200
    assert "用户名" in page.content.decode() and "Username" not in page.content.decode()
