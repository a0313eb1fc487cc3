"""Double submit on PostgreSQL: three clicks at once create one row, answer a redirect each,
and the two late ones are told why; the job says what really happened."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from enterprises.models import CreationListEntry, Enterprise
from portal.http import current_year
from portal.models import Job
from tests.enterprises.conftest import row, xlsx_bytes
from tests.factories import phases_ahead
from tests.machines import on_postgresql, race

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True)]


def clicks(user: Any, url: str, data: dict, times: int = 3) -> list[tuple[int, list[str]]]:
    """``times`` posts of ``data`` at once, each on its own connection: (status, messages)."""
    clients = []
    for _ in range(times):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    barrier, results = threading.Barrier(times), []

    def click(client: Client) -> None:
        try:
            barrier.wait()
            response = client.post(url, data)
            said = [str(m) for m in get_messages(response.wsgi_request)]
            results.append((response.status_code, said))
        finally:
            connection.close()

    pool = [threading.Thread(target=click, args=(client,)) for client in clients]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_three_confirms_of_one_import_write_it_once(media, county_user):
    from enterprises import services

    upload = SimpleUploadedFile("名录.xlsx", xlsx_bytes([row(n) for n in range(1, 6)]))
    job = services.import_upload(actor=county_user, upload=upload)
    results = clicks(county_user, reverse("enterprises:import_confirm", args=[job.pk]), {})
    assert sorted(status for status, _ in results) == [302, 302, 302]
    assert all(said for _, said in results), results  # each click is told something
    assert Enterprise.objects.count() == 5
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.status, job.message)


def test_three_adds_of_one_firm_to_the_creation_list_put_it_on_once(county_user, firm):
    year = current_year()
    url = reverse("enterprises:creation_list_add") + f"?year={year}"
    data = {"credit_code": firm.credit_code, "target_date": f"{year}-12-31"}
    results = clicks(county_user, url, data)
    assert sorted(status for status, _ in results) == [302, 302, 302]
    assert CreationListEntry.objects.filter(enterprise=firm, year=year).count() == 1
    refused = [said for _, said in results if any("已在" in m for m in said)]
    assert len(refused) == 2, results


# --- The services behind the other forms with a natural key ----------------------------------

ONE_AND_TWO_TOLD = ["ValidationError", "ValidationError", "ok"]


@pytest.fixture
def campaign(city_user):
    from lookback.services import campaign_open

    return campaign_open(year=2016, actor=city_user, deadlines=phases_ahead())


def test_three_openings_of_a_years_campaign_open_one(city_user):
    from lookback.models import Campaign
    from lookback.services import campaign_open

    assert race(lambda: campaign_open(year=2017, actor=city_user), 3) == ONE_AND_TWO_TOLD
    assert Campaign.objects.filter(year=2017).count() == 1


def test_three_ratings_of_an_agency_at_once_record_one(campaign, agency, county_user, firm):
    from lookback.models import AgencyRating
    from lookback.services import agency_rating_submit
    from tests.factories import review_in

    review_in(agency, firm, 2016)

    def rate():
        agency_rating_submit(
            campaign=campaign, agency=agency, rating="good", reason="服务规范", actor=county_user
        )

    assert race(rate, 3) == ONE_AND_TWO_TOLD
    assert AgencyRating.objects.count() == 1


def test_three_self_checks_at_once_record_one(campaign, firm, enterprise_user):
    from enterprises.choices import Status
    from lookback.models import SelfCheck
    from lookback.services import self_check_record

    Enterprise.objects.filter(pk=firm.pk).update(status=Status.ANNOUNCED)
    firm.refresh_from_db()

    def check():
        self_check_record(
            campaign=campaign,
            enterprise=firm,
            actor=enterprise_user,
            system_built=True,
            runs_daily=True,
            agency_performed=True,
        )

    results = race(check, 3)  # a late click may find the record and update it: idempotent
    assert "ok" in results and set(results) <= {"ok", "ValidationError"}, results
    assert SelfCheck.objects.count() == 1


def test_three_draws_for_a_county_at_once_draw_once(campaign, make_enterprise, zhifu, city_user):
    from enterprises.choices import Status
    from lookback.models import SpotCheck
    from lookback.services import spot_check_draw

    sample = [make_enterprise(county=zhifu, status=Status.ANNOUNCED).pk for _ in range(6)][:3]

    def draw():
        spot_check_draw(campaign=campaign, county=zhifu, actor=city_user, sample=sample)

    assert race(draw, 3) == ONE_AND_TWO_TOLD
    assert SpotCheck.objects.count() == 1


def test_a_confirm_and_the_nightly_clearing_at_once_do_one_of_them(county_user):
    from enterprises.workflows import IMPORT_JOB
    from portal.jobs import job_start

    job = job_start(kind="enterprise_import", owner=county_user)
    moves = iter(["confirm_import", "discard_preview"])
    actors = {"confirm_import": county_user, "discard_preview": None}
    lock = threading.Lock()

    def move():
        with lock:
            name = next(moves)
        IMPORT_JOB.apply(Job.objects.get(pk=job.pk), name, actor=actors[name])

    assert race(move) == ["TransitionRefused", "ok"]
