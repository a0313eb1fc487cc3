"""No programmer's text on a page: histories say 是/否 (never "False → True"), lists as words,
a field's Chinese name (never its code name); draws describe their method in words and list no
database ids."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from portal.models import AuditEntry, User
from tests.lookback.test_audit import passes  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _entry(changes) -> AuditEntry:
    return AuditEntry(
        content_type=ContentType.objects.get_for_model(User),
        object_id="1",
        object_repr="x",
        action="停用账号",
        changes=changes,
    )


def test_history_says_yes_and_no_never_true_and_false():
    rows = _entry({"is_active": [True, False]}).changes_display
    assert rows == [("有效", "是", "否")]


def test_history_writes_lists_and_mappings_as_words():
    rows = _entry({"full_name": [["张三", "李四"], {"组长": "王五"}]}).changes_display
    assert rows == [("姓名", "张三、李四", "组长：王五")]


def test_history_never_shows_a_code_name():
    rows = _entry({"removed_field": ["a", "b"], "1.2 扣分": ["0", "2"]}).changes_display
    assert [label for label, _, _ in rows] == ["其他项目", "1.2 扣分"]


def test_the_history_table_of_a_disabled_account_reads_in_chinese(
    client, city_user, make_user, zhifu
):
    from portal import services

    account = make_user(role="county", county=zhifu)
    services.account_disable(actor=city_user, account=account)
    client.force_login(city_user)
    page = client.get(f"/accounts/users/{account.pk}/").content.decode()
    assert "是 → 否" in page
    assert not re.search(r"True|False", page)


def test_an_audit_draw_describes_its_method_in_words(client, city_user, passes, zhifu):  # noqa: F811
    from lookback.services import audit_start
    from tests.lookback.samples import audit_sample

    audit = audit_start(county=zhifu, year=2016, actor=city_user, sample=audit_sample(zhifu, 2016))
    client.force_login(city_user)
    page = client.get(f"/lookback/audits/{audit.pk}/").content.decode()
    assert "Python" not in page and "random" not in page
    assert "企业ID" not in page and "公开随机抽取" in page
