"""Every change is kept with who, when and what it was before; stale edits are refused."""

import pytest

from enterprises.choices import Status
from portal.audit import history_for, record_change, snapshot
from portal.concurrency import ConcurrentEditError, save_versioned

pytestmark = pytest.mark.django_db


def test_a_status_change_is_kept_with_actor_and_before_after(firm, county_user):
    before = snapshot(firm, ["status"])
    firm.status = Status.LISTED
    record_change(
        actor=county_user,
        obj=firm,
        action="纳入创建名单",
        before=before,
        after=snapshot(firm, ["status"]),
    )
    entry = history_for(firm).get()
    assert entry.actor == county_user
    assert entry.changes == {"status": ["未纳入创建", "纳入创建名单"]}
    assert entry.at is not None
    assert entry.changes_display == [("创建状态", "未纳入创建", "纳入创建名单")]


def test_an_unchanged_save_writes_no_history(firm, county_user):
    state = snapshot(firm, ["status", "name"])
    assert (
        record_change(actor=county_user, obj=firm, action="编辑", before=state, after=state) is None
    )
    assert not history_for(firm).exists()


def test_a_stale_edit_is_refused_and_loses_nothing(firm):
    first, second = type(firm).objects.get(pk=firm.pk), type(firm).objects.get(pk=firm.pk)
    first.phone = "0535-1111111"
    save_versioned(first, expected_version=1, fields=["phone"])
    second.phone = "0535-2222222"
    with pytest.raises(ConcurrentEditError):
        save_versioned(second, expected_version=1, fields=["phone"])
    firm.refresh_from_db()
    assert firm.phone == "0535-1111111"
    assert firm.version == 2
