"""The registry's rules (enterprises.policies), asked through the services that enforce them:
each refusal is a 403 carrying its reason in Chinese, and the allowed actions are what the
pages show as buttons."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from enterprises import services
from enterprises.choices import Status
from enterprises.models import CreationListEntry, Enterprise
from enterprises.selectors import CONTACT_FIELDS, editable_fields
from portal.policy import allowed_actions, can, reason
from portal.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_county_user(make_user, fushan):
    return make_user(role=Role.COUNTY, county=fushan)


@pytest.fixture
def admin_user(make_user):
    return make_user(role=Role.ADMIN)


def edit(enterprise, actor, **data):
    return services.enterprise_update(
        actor=actor, enterprise=enterprise, data=data, expected_version=None
    )


def test_county_staff_cannot_edit_another_countys_firm(firm, other_county_user):
    with pytest.raises(PermissionDenied, match="您无权修改该企业"):
        edit(firm, other_county_user, name="改名")
    firm.refresh_from_db()
    assert firm.name == "烟台芝罘华鑫机械有限公司"


def test_a_firm_user_changes_only_the_contact_fields(firm, enterprise_user):
    assert editable_fields(user=enterprise_user, enterprise=firm) == CONTACT_FIELDS
    edit(firm, enterprise_user, name="改名", phone="0535-1234567", safety_contact="王强")
    firm.refresh_from_db()
    assert (firm.name, firm.phone, firm.safety_contact) == (
        "烟台芝罘华鑫机械有限公司",
        "0535-1234567",
        "王强",
    )


def test_a_firm_user_cannot_edit_another_firm(firm, make_user, make_enterprise):
    stranger = make_user(role=Role.ENTERPRISE, enterprise=make_enterprise())
    with pytest.raises(PermissionDenied, match="您无权修改该企业"):
        edit(firm, stranger, phone="1")


def test_county_staff_keep_a_firm_in_their_county_and_only_an_admin_moves_it(
    firm, county_user, admin_user
):
    assert "county" not in editable_fields(user=county_user, enterprise=firm)
    assert "county" in editable_fields(user=admin_user, enterprise=firm)
    assert reason(county_user, "move_county", Enterprise) == "只有系统管理员可以变更企业所属区县"


def test_a_closed_firm_is_no_longer_edited_or_closed_again(firm, county_user):
    services.enterprise_close(
        actor=county_user, enterprise=firm, closed_on=dt.date(2016, 5, 1), reason="注销"
    )
    for action in ("edit", "close"):
        assert reason(county_user, action, firm) == "该企业已关闭，登记信息不再修改"
    with pytest.raises(PermissionDenied, match="已关闭"):
        edit(firm, county_user, phone="1")


def test_the_city_reads_the_registry_but_does_not_write_it(city_user, firm):
    assert can(city_user, "list", Enterprise) and can(city_user, "export", Enterprise)
    with pytest.raises(PermissionDenied, match="您的角色不能新增企业"):
        services.enterprise_create(actor=city_user, data={"name": "新企业"})
    assert not {"edit", "close", "put_on_list"} & allowed_actions(city_user, firm)


def test_firm_users_do_not_open_the_registrys_lists(enterprise_user):
    assert reason(enterprise_user, "list", Enterprise) == "您的角色不能查看企业名录"
    assert reason(enterprise_user, "add", CreationListEntry) == "您的角色不能调整创建名单"


def test_the_buttons_on_a_firms_page_follow_the_rules(firm, county_user, enterprise_user):
    assert {"edit", "close", "record_accident", "list"} <= allowed_actions(county_user, firm)
    firm_actions = allowed_actions(enterprise_user, firm)
    assert {"edit", "act_as_firm"} <= firm_actions
    assert not {"close", "record_accident", "list"} & firm_actions


def test_another_county_cannot_put_a_firm_on_its_list(firm, other_county_user):
    Enterprise.objects.filter(pk=firm.pk).update(status=Status.NOT_LISTED)
    firm.refresh_from_db()
    with pytest.raises(PermissionDenied, match="只能调整本辖区企业的创建名单"):
        services.creation_list_add(
            actor=other_county_user, enterprise=firm, year=2016, target_date=dt.date(2016, 9, 1)
        )
    assert not CreationListEntry.objects.exists()


def test_only_the_uploader_confirms_an_import(county_user, other_county_user):
    from portal.jobs import job_start

    job = job_start(kind=services.IMPORT_JOB_KIND, owner=county_user)
    assert can(county_user, "confirm_import", job)
    assert reason(other_county_user, "confirm_import", job) == "只有上传该文件的用户可以确认导入"


def test_a_command_imports_as_the_system_but_a_firm_user_may_not(enterprise_user):
    assert can(None, "import", Enterprise)
    assert reason(enterprise_user, "import", Enterprise) == "您的角色不能导入企业"
